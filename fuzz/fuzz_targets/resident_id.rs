//! Any string: strict, normalising and 15-digit parsing never panic; a valid number's derived
//! fields are consistent and it reparses to itself.
#![no_main]
use fanzha_core::mask::mask_resident_id;
use fanzha_core::resident_id::ResidentId;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    let _ = mask_resident_id(s);
    let _ = ResidentId::from_legacy15(s);
    if let Ok(id) = ResidentId::parse_normalised(s) {
        assert_eq!(ResidentId::parse(id.as_str()), Ok(id));
        let regenerated =
            ResidentId::generate(id.address_code(), id.birth_date(), id.sequence(), id.sex())
                .expect("parts of a valid number rebuild it");
        assert_eq!(regenerated, id);
        let _ = id.region_name();
    }
});
