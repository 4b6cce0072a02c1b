//! Tests of the open test card profile: reader and card side together.

use super::*;
use proptest::prelude::*;

fn chan() -> CardRecord {
    CardRecord {
        generation: CardGeneration::Gen2018,
        document_number: "A1234563".into(),
        english_name: "CHAN, Tai Man".into(),
        chinese_ccc: vec![7115, 1129, 2429],
        date_of_birth: "19800115".into(),
        sex: 'M',
        date_of_issue: "20190301".into(),
    }
}

fn ok(data: Vec<u8>) -> Response {
    Response {
        data,
        sw: StatusWord::OK,
    }
}

#[test]
fn an_ordinary_card_reads_in_two_apdus() {
    let mut card = CardApp::new(&chan()).unwrap();
    let (record, apdus) = read_in_memory(&mut card).unwrap();
    assert_eq!(record, chan());
    assert_eq!(apdus, 2, "SELECT and one READ BINARY");
}

#[test]
fn a_long_identity_file_is_read_in_256_byte_chunks() {
    let mut r = chan();
    r.english_name = format!("CHAN, {}", "Tai Man ".repeat(14))
        .trim_end()
        .to_owned();
    r.chinese_ccc = vec![7115; 60];
    let mut card = CardApp::new(&r).unwrap();
    let ef_len = encode_identity(&r).unwrap().len();
    assert!(
        ef_len > 256 && ef_len <= 512,
        "test needs a 2-chunk file, got {ef_len}"
    );
    let (record, apdus) = read_in_memory(&mut card).unwrap();
    assert_eq!(record, r);
    assert_eq!(apdus, 3);
}

#[test]
fn the_commands_are_the_documented_bytes() {
    let mut want = vec![0x00, 0xA4, 0x04, 0x00, 0x0C];
    want.extend_from_slice(&AID);
    want.push(0x00);
    assert_eq!(select_command().encode().unwrap(), want);
    assert_eq!(
        read_sfi_command(256).encode().unwrap(),
        vec![0x00, 0xB0, 0x81, 0x00, 0x00]
    );
    assert_eq!(
        read_offset_command(0x0100, 0x10).encode().unwrap(),
        vec![0x00, 0xB0, 0x01, 0x00, 0x10]
    );
}

#[test]
fn a_2003_card_is_refused_at_select_before_any_personal_data() {
    let mut r = chan();
    r.generation = CardGeneration::Gen2003;
    let mut card = CardApp::new(&r).unwrap();
    let mut reader = Reader::new();
    let resp = card.respond(&reader.start().encode().unwrap());
    assert_eq!(reader.on_response(&resp), Err(ReadError::OldGeneration));
    assert_eq!(ReadError::OldGeneration.code(), "card.old_generation");
}

#[test]
fn a_card_without_the_application_is_unknown() {
    let mut reader = Reader::new();
    let err = reader
        .on_response(&Response::status(StatusWord::NOT_FOUND))
        .unwrap_err();
    assert_eq!(err, ReadError::UnknownCard(StatusWord::NOT_FOUND));
    assert_eq!(err.code(), "card.unknown");
}

fn fci_ok(len: u16) -> Vec<u8> {
    encode_fci(CardGeneration::Gen2018, len)
}

fn identity_with(mutate: impl Fn(&mut Vec<u8>)) -> Vec<u8> {
    // Rebuild the identity template from its fields, letting a test change
    // the inner bytes.
    let good = encode_identity(&chan()).unwrap();
    let (tlv, _) = tlv::parse_one(&good).unwrap();
    let mut inner = tlv.value.to_vec();
    mutate(&mut inner);
    let mut out = Vec::new();
    tlv::encode(TAG_IDENTITY, &inner, &mut out).unwrap();
    out
}

fn replace_field(inner: &mut Vec<u8>, tag: Tag, value: &[u8]) {
    let objs: Vec<(Tag, Vec<u8>)> = tlv::parse_all(inner)
        .unwrap()
        .iter()
        .map(|t| (t.tag, t.value.to_vec()))
        .collect();
    inner.clear();
    for (t, v) in objs {
        let v = if t == tag { value.to_vec() } else { v };
        tlv::encode(t, &v, inner).unwrap();
    }
}

#[test]
fn malformed_cards_get_specific_errors() {
    let cases: Vec<(&str, Vec<u8>, Vec<u8>, &str)> = vec![
        (
            "FCI not TLV",
            vec![0x6F, 0x05, 0x84],
            vec![],
            "card.malformed",
        ),
        (
            "FCI without template",
            vec![0x84, 0x00],
            vec![],
            "card.malformed",
        ),
        (
            "unknown version",
            {
                let mut p = Vec::new();
                tlv::encode(TAG_VERSION, &[2], &mut p).unwrap();
                let mut f = Vec::new();
                tlv::encode(TAG_DF_NAME, &AID, &mut f).unwrap();
                tlv::encode(TAG_FCI_PROPRIETARY, &p, &mut f).unwrap();
                let mut o = Vec::new();
                tlv::encode(TAG_FCI, &f, &mut o).unwrap();
                o
            },
            vec![],
            "card.unsupported_version",
        ),
        ("zero-length EF", fci_ok(0), vec![], "card.malformed"),
        ("oversized EF", fci_ok(5000), vec![], "card.malformed"),
        (
            "sex X",
            fci_ok(0),
            identity_with(|i| replace_field(i, TAG_SEX, b"X")),
            "card.malformed",
        ),
        (
            "CCC not decimal",
            fci_ok(0),
            identity_with(|i| replace_field(i, TAG_CHINESE_CCC, &[0x7A, 0x15])),
            "card.malformed",
        ),
        (
            "CCC odd bytes",
            fci_ok(0),
            identity_with(|i| replace_field(i, TAG_CHINESE_CCC, &[0x71])),
            "card.malformed",
        ),
        (
            "DOB letters",
            fci_ok(0),
            identity_with(|i| replace_field(i, TAG_DATE_OF_BIRTH, b"1980JAN1")),
            "card.malformed",
        ),
        (
            "name not UTF-8",
            fci_ok(0),
            identity_with(|i| replace_field(i, TAG_ENGLISH_NAME, &[0xC3, 0x28])),
            "card.malformed",
        ),
        (
            "empty document number",
            fci_ok(0),
            identity_with(|i| replace_field(i, TAG_DOC_NUMBER, b"")),
            "card.malformed",
        ),
        (
            "missing DOI",
            fci_ok(0),
            identity_with(|i| replace_field(i, TAG_DATE_OF_ISSUE, b"")),
            "card.malformed",
        ),
    ];
    for (what, fci, ef, code) in cases {
        // A zero length in fci_ok(0) means "use the real EF length".
        let fci = if fci == fci_ok(0) && !ef.is_empty() {
            fci_ok(ef.len() as u16)
        } else {
            fci
        };
        let mut card = CardApp::from_parts(fci, ef);
        let err = read_in_memory(&mut card).unwrap_err();
        assert_eq!(err.code(), code, "{what}: {err:?}");
    }
}

#[test]
fn a_short_read_or_an_error_status_mid_read_is_refused() {
    let ef = encode_identity(&chan()).unwrap();
    let mut reader = Reader::new();
    let step = reader.on_response(&ok(fci_ok(ef.len() as u16))).unwrap();
    assert!(matches!(step, Step::Send(_)));
    let err = reader
        .on_response(&ok(ef[..ef.len() - 1].to_vec()))
        .unwrap_err();
    assert_eq!(err.code(), "card.malformed");

    let mut reader = Reader::new();
    reader.on_response(&ok(fci_ok(ef.len() as u16))).unwrap();
    let err = reader
        .on_response(&Response::status(StatusWord::SECURITY_NOT_SATISFIED))
        .unwrap_err();
    assert_eq!(
        err,
        ReadError::UnexpectedStatus(StatusWord::SECURITY_NOT_SATISFIED)
    );
    assert_eq!(reader.on_response(&ok(vec![])), Err(ReadError::Finished));
}

#[test]
fn card_side_answers_like_a_card() {
    let mut card = CardApp::new(&chan()).unwrap();
    // Nothing selected yet: READ BINARY is not allowed.
    assert_eq!(
        card.respond(&[0x00, 0xB0, 0x81, 0x00, 0x00]).sw,
        StatusWord::NOT_ALLOWED
    );
    assert_eq!(
        card.respond(&[0x80, 0xB0, 0x00, 0x00]).sw,
        StatusWord::CLA_NOT_SUPPORTED
    );
    assert_eq!(
        card.respond(&[0x00, 0xCA, 0x00, 0x00]).sw,
        StatusWord::INS_NOT_SUPPORTED
    );
    assert_eq!(card.respond(&[0x00]).sw, StatusWord::WRONG_LENGTH);
    let mut wrong_aid = vec![0x00, 0xA4, 0x04, 0x00, 0x03, 1, 2, 3];
    assert_eq!(card.respond(&wrong_aid).sw, StatusWord::NOT_FOUND);
    wrong_aid.truncate(4);
    // SELECT without FCI (P2=0C), then by FID, then offset reads.
    let mut sel = vec![0x00, 0xA4, 0x04, 0x0C, AID.len() as u8];
    sel.extend_from_slice(&AID);
    let r = card.respond(&sel);
    assert_eq!((r.sw, r.data.len()), (StatusWord::OK, 0));
    assert_eq!(
        card.respond(&[0x00, 0xB0, 0x00, 0x00, 0x04]).sw,
        StatusWord::NOT_ALLOWED,
        "no current EF"
    );
    assert_eq!(
        card.respond(&[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x01, 0x01]).sw,
        StatusWord::OK
    );
    let r = card.respond(&[0x00, 0xB0, 0x00, 0x02, 0x04]);
    assert_eq!(r.sw, StatusWord::OK);
    assert_eq!(r.data.len(), 4);
    let r = card.respond(&[0x00, 0xB0, 0x7F, 0x00, 0x04]);
    assert_eq!(r.sw, StatusWord::WRONG_OFFSET);
    let r = card.respond(&[0x00, 0xB0, 0x82, 0x00, 0x04]);
    assert_eq!(r.sw, StatusWord::NOT_FOUND, "SFI 2 does not exist");
    card.reset();
    assert_eq!(
        card.respond(&[0x00, 0xB0, 0x81, 0x00, 0x00]).sw,
        StatusWord::NOT_ALLOWED,
        "reset deselects"
    );
}

proptest! {
    #[test]
    fn ccc_round_trips(codes in proptest::collection::vec(0u16..=9999, 0..20)) {
        prop_assert_eq!(decode_ccc(&encode_ccc(&codes).unwrap()).unwrap(), codes);
    }

    #[test]
    fn any_record_round_trips_through_a_card(
        number in "[A-Z]{1,2}[0-9]{6}[0-9A]",
        name in "[A-Z]{2,10}, [A-Za-z ]{1,100}[a-z]",
        ccc in proptest::collection::vec(0u16..=9999, 0..30),
        dob in "(19|20)[0-9]{2}(0[0-9]|1[0-2])(0[0-9]|[12][0-9]|3[01])",
        female in any::<bool>(),
    ) {
        let r = CardRecord {
            generation: CardGeneration::Gen2018,
            document_number: number,
            english_name: name,
            chinese_ccc: ccc,
            date_of_birth: dob,
            sex: if female { 'F' } else { 'M' },
            date_of_issue: "20200101".into(),
        };
        let mut card = CardApp::new(&r).unwrap();
        let (got, apdus) = read_in_memory(&mut card).unwrap();
        prop_assert_eq!(&got, &r);
        let ef_len = encode_identity(&r).unwrap().len();
        prop_assert_eq!(apdus, 1 + ef_len.div_ceil(256));
    }

    #[test]
    fn the_reader_never_panics_on_arbitrary_responses(
        responses in proptest::collection::vec((proptest::collection::vec(any::<u8>(), 0..300), any::<u16>()), 1..5)
    ) {
        let mut reader = Reader::new();
        for (data, sw) in responses {
            if reader.on_response(&Response { data, sw: StatusWord(sw) }).is_err() {
                break;
            }
        }
    }

    #[test]
    fn the_card_never_panics_on_arbitrary_apdus(apdus in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..40), 1..10)) {
        let mut card = CardApp::new(&chan()).unwrap();
        for a in apdus {
            let r = card.respond(&a);
            prop_assert!(r.data.len() <= 256);
        }
    }
}

#[test]
fn debug_of_the_card_side_and_a_read_in_progress_shows_no_card_data() {
    // A name long enough that the reader holds part of the file between
    // two READ BINARY answers.
    let mut long = chan();
    long.english_name = format!("CHAN, {}", "Tai Man ".repeat(14))
        .trim_end()
        .to_owned();
    long.chinese_ccc = vec![7115; 60];
    let mut card = CardApp::new(&long).unwrap();
    let mut reader = Reader::new();
    let mut cmd = reader.start();
    let mut answers = Vec::new();
    for _ in 0..2 {
        let resp = card.respond(&cmd.encode().unwrap());
        answers.push(resp.clone());
        match reader.on_response(&resp).unwrap() {
            Step::Send(next) => cmd = next,
            Step::Done(_) => panic!("read ended early"),
        }
    }
    let shown = [
        format!("{card:?}"),
        format!("{card:#?}"),
        format!("{reader:?}"),
        format!("{reader:#?}"),
        format!("{answers:?}"),
        format!("{:?}", chan()),
        format!("{:#?}", Step::Done(chan())),
    ];
    for out in shown {
        for p in ["A1234563", "CHAN", "19800115", "7115"] {
            assert!(!out.contains(p), "{out}");
        }
        // Nor the file's bytes as numbers ("CHAN" is 67, 72, 65, 78).
        assert!(!out.contains("67, 72, 65, 78"), "{out}");
    }
}
