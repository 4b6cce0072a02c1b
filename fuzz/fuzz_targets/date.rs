//! Fuzz target: date and date-of-birth parsing, and age on a fixed day.
//! Checks that nothing panics and every parsed value prints back to itself.
#![no_main]

use ehr_domain::{age_on, Date, DateOfBirth};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(d) = Date::parse(s) {
        assert_eq!(Date::parse(&d.to_string()), Ok(d));
        assert_eq!(Date::parse(&d.to_hk_string()), Ok(d));
        assert_eq!(Date::from_days_since_epoch(d.days_since_epoch()), Ok(d));
    }
    if let Ok(dob) = DateOfBirth::parse(s) {
        assert_eq!(DateOfBirth::parse(&dob.to_string()), Ok(dob));
        assert_eq!(DateOfBirth::parse(&dob.to_hk_string()), Ok(dob));
        if let Ok(on) = Date::new(2026, 11, 25) {
            if let Ok(age) = age_on(dob, on) {
                assert!(age.min_years <= age.max_years);
            }
        }
    }
});
