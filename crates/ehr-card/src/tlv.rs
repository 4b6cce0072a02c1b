//! A strict BER-TLV parser and encoder (ISO/IEC 7816-4 annex D, ISO 8825-1).
//!
//! Tags are one to three bytes; lengths use the short form or the long forms
//! `81`, `82` and `83`. The indefinite length (`80`), longer length forms, and
//! any value that runs past the end of its container are refused. Padding
//! bytes `00` and `FF` between objects are not accepted: the open test card
//! profile does not use them, and accepting them would hide malformed data.

use std::fmt;

/// A tag, as its encoded bytes read big-endian (for example `0x5F20`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tag(pub u32);

impl Tag {
    /// Whether the tag denotes a constructed object (bit 6 of its first byte).
    pub fn is_constructed(self) -> bool {
        self.first_byte() & 0x20 != 0
    }

    fn first_byte(self) -> u8 {
        let bytes = self.0.to_be_bytes();
        bytes.iter().copied().find(|b| *b != 0).unwrap_or(0)
    }

    /// The encoded bytes of the tag.
    pub fn to_bytes(self) -> Vec<u8> {
        let bytes = self.0.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count().min(3);
        bytes[skip..].to_vec()
    }
}

impl fmt::Debug for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tag({:02X})", self.0)
    }
}

/// One data object: its tag and the bytes of its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    /// The tag.
    pub tag: Tag,
    /// The value bytes (for a constructed object, the encoded children).
    pub value: &'a [u8],
}

impl<'a> Tlv<'a> {
    /// Parse the value of a constructed object as a sequence of objects.
    pub fn children(&self) -> Result<Vec<Tlv<'a>>, TlvError> {
        if !self.tag.is_constructed() {
            return Err(TlvError::NotConstructed);
        }
        parse_all(self.value)
    }
}

/// Why bytes are not well-formed BER-TLV. Offsets are within the parsed slice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TlvError {
    /// The data ends inside a tag, a length or a value.
    #[error("truncated TLV at offset {0}")]
    Truncated(usize),
    /// A tag longer than three bytes.
    #[error("tag longer than three bytes at offset {0}")]
    TagTooLong(usize),
    /// The indefinite length form (`80`).
    #[error("indefinite length at offset {0}")]
    IndefiniteLength(usize),
    /// A length form longer than `83` (more than 16 MiB).
    #[error("length form too long at offset {0}")]
    LengthTooLong(usize),
    /// A tag byte of `00` or `FF` where an object should start (padding).
    #[error("padding or invalid tag byte at offset {0}")]
    InvalidTag(usize),
    /// `children` was called on a primitive object.
    #[error("the object is primitive, not constructed")]
    NotConstructed,
}

/// Parse one object at the start of `input`; returns it and the bytes after it.
pub fn parse_one(input: &[u8]) -> Result<(Tlv<'_>, &[u8]), TlvError> {
    parse_at(input, 0).map(|(tlv, used)| (tlv, &input[used..]))
}

fn parse_at(input: &[u8], base: usize) -> Result<(Tlv<'_>, usize), TlvError> {
    let first = *input.first().ok_or(TlvError::Truncated(base))?;
    if first == 0x00 || first == 0xFF {
        return Err(TlvError::InvalidTag(base));
    }
    let mut tag = u32::from(first);
    let mut i = 1;
    if first & 0x1F == 0x1F {
        loop {
            let b = *input.get(i).ok_or(TlvError::Truncated(base + i))?;
            tag = tag << 8 | u32::from(b);
            i += 1;
            if b & 0x80 == 0 {
                break;
            }
            if i >= 3 {
                return Err(TlvError::TagTooLong(base));
            }
        }
    }
    let len_at = i;
    let l0 = *input.get(i).ok_or(TlvError::Truncated(base + i))?;
    i += 1;
    let len = match l0 {
        0x00..=0x7F => usize::from(l0),
        0x80 => return Err(TlvError::IndefiniteLength(base + len_at)),
        0x81..=0x83 => {
            let n = usize::from(l0 & 0x7F);
            let bytes = input.get(i..i + n).ok_or(TlvError::Truncated(base + i))?;
            i += n;
            bytes
                .iter()
                .fold(0usize, |acc, b| acc << 8 | usize::from(*b))
        }
        _ => return Err(TlvError::LengthTooLong(base + len_at)),
    };
    let end = i.checked_add(len).ok_or(TlvError::Truncated(base + i))?;
    let value = input.get(i..end).ok_or(TlvError::Truncated(base + i))?;
    Ok((
        Tlv {
            tag: Tag(tag),
            value,
        },
        end,
    ))
}

/// Parse a whole buffer as a sequence of objects; trailing bytes are an error.
pub fn parse_all(input: &[u8]) -> Result<Vec<Tlv<'_>>, TlvError> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < input.len() {
        let (tlv, used) = parse_at(&input[at..], at)?;
        out.push(tlv);
        at += used;
    }
    Ok(out)
}

/// The first object with `tag` in `objects`.
pub fn find<'a>(objects: &[Tlv<'a>], tag: Tag) -> Option<Tlv<'a>> {
    objects.iter().copied().find(|t| t.tag == tag)
}

/// Append one object to `out`. Values longer than 16 MiB cannot be encoded.
pub fn encode(tag: Tag, value: &[u8], out: &mut Vec<u8>) -> Result<(), TlvError> {
    out.extend_from_slice(&tag.to_bytes());
    let len = value.len();
    match len {
        0..=0x7F => out.push(len as u8),
        0x80..=0xFF => out.extend_from_slice(&[0x81, len as u8]),
        0x100..=0xFFFF => out.extend_from_slice(&[0x82, (len >> 8) as u8, len as u8]),
        0x1_0000..=0xFF_FFFF => {
            out.extend_from_slice(&[0x83, (len >> 16) as u8, (len >> 8) as u8, len as u8])
        }
        _ => return Err(TlvError::LengthTooLong(out.len())),
    }
    out.extend_from_slice(value);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_short_and_long_forms_and_nesting() {
        let bytes = [0x6F, 0x07, 0x84, 0x02, 0xA0, 0x01, 0x5F, 0x20, 0x00];
        let all = parse_all(&bytes).unwrap();
        assert_eq!(all.len(), 1);
        assert!(all[0].tag.is_constructed());
        let kids = all[0].children().unwrap();
        assert_eq!(
            kids[0],
            Tlv {
                tag: Tag(0x84),
                value: &[0xA0, 0x01]
            }
        );
        assert_eq!(kids[1].tag, Tag(0x5F20));
        assert!(kids[1].value.is_empty());
        assert_eq!(kids[0].children(), Err(TlvError::NotConstructed));

        let mut long = vec![0x53, 0x81, 0x80];
        long.extend(std::iter::repeat_n(7u8, 0x80));
        assert_eq!(parse_all(&long).unwrap()[0].value.len(), 0x80);
    }

    #[test]
    fn refuses_malformed_input_with_its_offset() {
        let cases: &[(&[u8], TlvError)] = &[
            (&[0x84], TlvError::Truncated(1)),
            (&[0x84, 0x03, 1, 2], TlvError::Truncated(2)),
            (&[0x5F], TlvError::Truncated(1)),
            (&[0x5F, 0x81, 0x82, 0x83, 0x00], TlvError::TagTooLong(0)),
            (&[0x84, 0x80, 0x00, 0x00], TlvError::IndefiniteLength(1)),
            (&[0x84, 0x84, 0, 0, 0, 1, 0], TlvError::LengthTooLong(1)),
            (&[0x84, 0x82, 0x01], TlvError::Truncated(2)),
            (&[0x84, 0x00, 0x00], TlvError::InvalidTag(2)),
            (&[0xFF, 0x00], TlvError::InvalidTag(0)),
        ];
        for (bytes, want) in cases {
            assert_eq!(parse_all(bytes).unwrap_err(), *want, "{bytes:02X?}");
        }
    }

    #[test]
    fn encode_picks_the_shortest_length_form() {
        for (len, head) in [
            (0usize, vec![0x80, 0x00]),
            (127, vec![0x80, 0x7F]),
            (128, vec![0x80, 0x81, 0x80]),
            (300, vec![0x80, 0x82, 0x01, 0x2C]),
        ] {
            let mut out = Vec::new();
            encode(Tag(0x80), &vec![1; len], &mut out).unwrap();
            assert_eq!(out[..head.len()], head[..], "length {len}");
        }
        let mut out = Vec::new();
        encode(Tag(0x5F20), b"x", &mut out).unwrap();
        assert_eq!(out, vec![0x5F, 0x20, 0x01, b'x']);
    }

    fn tag_strategy() -> impl Strategy<Value = Tag> {
        prop_oneof![
            (0x01u32..=0xFE)
                .prop_filter("not a multi-byte lead", |t| t & 0x1F != 0x1F)
                .prop_map(Tag),
            (0x00u32..=0x7F).prop_map(|b| Tag(0x5F00 | b)),
            (0x00u32..=0x7F).prop_map(|b| Tag(0x9F00 | b)),
            (0x81u32..=0xFF, 0x00u32..=0x7F).prop_map(|(a, b)| Tag(0x7F_00_00 | a << 8 | b)),
        ]
    }

    proptest! {
        #[test]
        fn encode_then_parse_round_trips(items in proptest::collection::vec((tag_strategy(), proptest::collection::vec(any::<u8>(), 0..400)), 0..6)) {
            let mut buf = Vec::new();
            for (tag, value) in &items {
                encode(*tag, value, &mut buf).unwrap();
            }
            let parsed = parse_all(&buf).unwrap();
            prop_assert_eq!(parsed.len(), items.len());
            for (p, (tag, value)) in parsed.iter().zip(&items) {
                prop_assert_eq!(p.tag, *tag);
                prop_assert_eq!(p.value, &value[..]);
            }
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            if let Ok(all) = parse_all(&bytes) {
                for t in all {
                    let _ = t.children();
                }
            }
        }
    }
}
