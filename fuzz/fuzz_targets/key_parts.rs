//! Reading keys back never panics, and whatever decodes re-encodes to the
//! same text (one value, one key).
#![no_main]

use chrono::{DateTime, NaiveDate, Utc};
use libfuzzer_sys::fuzz_target;
use serde::{Deserialize, Serialize};
use truss_model::{Entity, KeyPart};

#[derive(Entity, Serialize, Deserialize)]
#[truss(pk = "CREATOR#{creator_id}", sk = "CLIP#{video_id}#{created_at}")]
struct Clip {
    creator_id: String,
    video_id: String,
    created_at: DateTime<Utc>,
}

fn canonical<T: KeyPart>(segment: &str) {
    if let Ok(value) = T::decode_key(segment) {
        let mut again = String::new();
        value.encode_key(&mut again).expect("a decoded value encodes");
        assert_eq!(again, segment, "non-canonical segment accepted");
    }
}

fuzz_target!(|data: &str| {
    canonical::<String>(data);
    canonical::<u64>(data);
    canonical::<i32>(data);
    canonical::<bool>(data);
    canonical::<NaiveDate>(data);
    let _ = DateTime::<Utc>::decode_key(data);
    if let Some(values) = <Clip as Entity>::SK.and_then(|t| t.match_key(data)) {
        assert_eq!(values.len(), 2);
    }
    let _ = <Clip as Entity>::PK.match_key(data);
});
