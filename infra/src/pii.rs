//! Personal data at rest: ID numbers encrypted with AES-256-GCM (a fresh nonce per value, the
//! row id as associated data so a ciphertext cannot be moved to another row, the key id stored
//! beside it for rotation) and a keyed blind index (HMAC-SHA-256) for exact search and the
//! cross-county duplicate check. The blind-index key never leaves configuration.

use std::collections::HashMap;

use aes_gcm::aead::{Aead as _, KeyInit as _, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use anyhow::{anyhow, bail};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use domain::DomainError;
use domain::cases::IdNumber;
use hmac::{Hmac, Mac as _};
use sha2::Sha256;
use uuid::Uuid;

/// The data keys: which one encrypts, every one that decrypts, and the blind-index key; with
/// the limit on using that index as an oracle (see [`DataKeys::tries_per_form`]).
#[derive(Clone)]
pub struct DataKeys {
    active: i16,
    ciphers: HashMap<i16, Aes256Gcm>,
    blind: Hmac<Sha256>,
    tries_per_form: i64,
}

impl std::fmt::Debug for DataKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataKeys")
            .field("active", &self.active)
            .finish_non_exhaustive()
    }
}

fn key_bytes(b64: &str) -> anyhow::Result<Vec<u8>> {
    let bytes = STANDARD
        .decode(b64.trim())
        .map_err(|_| anyhow!("a data key is not base64"))?;
    if bytes.len() != 32 {
        bail!("a data key must be 32 bytes (base64 of 32 random bytes)");
    }
    Ok(bytes)
}

impl DataKeys {
    /// Parses `"1:<base64>,2:<base64>"`; the highest id encrypts unless `active` names one.
    ///
    /// # Errors
    /// Malformed keys, or no key at all.
    pub fn parse(keys: &str, active: Option<i16>, blind_key: &str) -> anyhow::Result<Self> {
        let mut ciphers = HashMap::new();
        for part in keys.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (id, b64) = part
                .split_once(':')
                .ok_or_else(|| anyhow!("data keys are written id:base64"))?;
            let id: i16 = id
                .trim()
                .parse()
                .map_err(|_| anyhow!("a data key id must be a small number"))?;
            let cipher = Aes256Gcm::new_from_slice(&key_bytes(b64)?)
                .map_err(|_| anyhow!("bad key length"))?;
            ciphers.insert(id, cipher);
        }
        let active = match active {
            Some(a) if ciphers.contains_key(&a) => a,
            Some(a) => bail!("the active data key {a} is not among the data keys"),
            None => *ciphers
                .keys()
                .max()
                .ok_or_else(|| anyhow!("no data key given"))?,
        };
        let blind = <Hmac<Sha256>>::new_from_slice(&key_bytes(blind_key)?)
            .map_err(|_| anyhow!("bad blind-index key"))?;
        Ok(Self {
            active,
            ciphers,
            blind,
            tries_per_form: 5,
        })
    }

    /// These keys with another limit on tries per masked form (at least 1).
    #[must_use]
    pub fn with_tries_per_form(mut self, n: i64) -> Self {
        self.tries_per_form = n.max(1);
        self
    }

    /// How many different numbers of one masked form and birth year a user may try in 24
    /// hours, by searching, registering or importing them (`ZX_SEARCH_SAME_MASK_DAILY_LIMIT`,
    /// default 5): numbers that share a masked form and year differ only in the month and day
    /// the mask hides, and each try tells whether that number is registered.
    pub fn tries_per_form(&self) -> i64 {
        self.tries_per_form
    }

    /// Fresh random keys (tests, and a demo without configured keys).
    ///
    /// # Errors
    /// When the system has no randomness.
    pub fn random() -> anyhow::Result<Self> {
        let mut a = [0_u8; 32];
        let mut b = [0_u8; 32];
        getrandom::fill(&mut a).map_err(|e| anyhow!("{e}"))?;
        getrandom::fill(&mut b).map_err(|e| anyhow!("{e}"))?;
        Self::parse(
            &format!("1:{}", STANDARD.encode(a)),
            None,
            &STANDARD.encode(b),
        )
    }

    /// These keys plus a fresh random one that becomes the active key (tests of rotation).
    ///
    /// # Errors
    /// When the system has no randomness.
    pub fn with_new_random_key(&self) -> anyhow::Result<Self> {
        let mut k = [0_u8; 32];
        getrandom::fill(&mut k).map_err(|e| anyhow!("{e}"))?;
        let id = self.ciphers.keys().max().copied().unwrap_or(0) + 1;
        let mut next = self.clone();
        next.ciphers.insert(
            id,
            Aes256Gcm::new_from_slice(&k).map_err(|_| anyhow!("bad key length"))?,
        );
        next.active = id;
        Ok(next)
    }

    /// The id of the key that encrypts.
    pub fn active(&self) -> i16 {
        self.active
    }

    /// Encrypts an ID number for row `row`: `(key id, nonce ‖ ciphertext)`.
    ///
    /// # Errors
    /// When the system has no randomness.
    pub fn encrypt(&self, row: Uuid, id: &IdNumber) -> Result<(i16, Vec<u8>), DomainError> {
        self.encrypt_text(row, id.expose())
    }

    /// Encrypts any personal value (a bank card number) for row `row` the same way.
    ///
    /// # Errors
    /// When the system has no randomness.
    pub fn encrypt_text(&self, row: Uuid, plain: &str) -> Result<(i16, Vec<u8>), DomainError> {
        self.encrypt_with(self.active, row, plain)
    }

    /// The ids of every configured data key, in order.
    pub fn key_ids(&self) -> Vec<i16> {
        let mut ids: Vec<i16> = self.ciphers.keys().copied().collect();
        ids.sort_unstable();
        ids
    }

    /// Encrypts `plain` for row `row` with data key `key` (the key check of
    /// [`crate::key_check`] writes one value per key).
    ///
    /// # Errors
    /// An unknown key id, or no randomness.
    pub fn encrypt_with(
        &self,
        key: i16,
        row: Uuid,
        plain: &str,
    ) -> Result<(i16, Vec<u8>), DomainError> {
        let cipher = self
            .ciphers
            .get(&key)
            .ok_or_else(|| DomainError::Unexpected(anyhow!("data key {key} missing")))?;
        let mut nonce = [0_u8; 12];
        getrandom::fill(&mut nonce).map_err(|e| DomainError::Unexpected(anyhow!("{e}")))?;
        let ct = cipher
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: plain.as_bytes(),
                    aad: row.as_bytes(),
                },
            )
            .map_err(|_| DomainError::Unexpected(anyhow!("encryption failed")))?;
        let mut out = nonce.to_vec();
        out.extend(ct);
        Ok((key, out))
    }

    /// Decrypts what [`DataKeys::encrypt`] produced for `row`.
    ///
    /// # Errors
    /// `Unexpected` (a generic 500, logged) when the key is unknown or the ciphertext was altered
    /// or moved from another row.
    pub fn decrypt(&self, key: i16, row: Uuid, blob: &[u8]) -> Result<String, DomainError> {
        let fail = |why: &str| {
            DomainError::Unexpected(anyhow!(
                "cannot decrypt the personal data of row {row}: {why}"
            ))
        };
        let cipher = self
            .ciphers
            .get(&key)
            .ok_or_else(|| fail("unknown data key"))?;
        if blob.len() < 12 + 16 {
            return Err(fail("ciphertext too short"));
        }
        let (nonce, ct) = blob.split_at(12);
        let nonce: [u8; 12] = nonce.try_into().map_err(|_| fail("bad nonce"))?;
        let plain = cipher
            .decrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: ct,
                    aad: row.as_bytes(),
                },
            )
            .map_err(|_| fail("authentication failed"))?;
        String::from_utf8(plain).map_err(|_| fail("not text"))
    }

    /// The blind index of an ID number.
    pub fn blind_index(&self, id: &IdNumber) -> Vec<u8> {
        self.blind_mac(id.expose())
    }

    /// The blind-index HMAC of any text.
    pub fn blind_mac(&self, text: &str) -> Vec<u8> {
        let mut mac = self.blind.clone();
        mac.update(text.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use domain::cases::id_number::with_check_character;

    fn id(first17: &str) -> IdNumber {
        let today = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
        IdNumber::parse(&with_check_character(first17).unwrap_or_default(), today)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn round_trip_tamper_and_swap_fail() {
        let keys = DataKeys::random().unwrap_or_else(|e| panic!("{e}"));
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        let x = id("37083119800101001");
        let (k, blob) = keys.encrypt(a, &x).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(keys.decrypt(k, a, &blob).ok().as_deref(), Some(x.expose()));
        assert!(
            !blob.windows(18).any(|w| w == x.expose().as_bytes()),
            "plaintext in the ciphertext"
        );
        let mut flipped = blob.clone();
        flipped[20] ^= 1;
        assert!(
            keys.decrypt(k, a, &flipped).is_err(),
            "a flipped byte must fail"
        );
        assert!(
            keys.decrypt(k, b, &blob).is_err(),
            "a ciphertext moved to another row must fail"
        );
        let (_, again) = keys.encrypt(a, &x).unwrap_or_else(|e| panic!("{e}"));
        assert_ne!(blob, again, "fresh nonce per value");
    }

    #[test]
    fn blind_index_is_keyed_and_stable() {
        let k1 = DataKeys::random().unwrap_or_else(|e| panic!("{e}"));
        let k2 = DataKeys::random().unwrap_or_else(|e| panic!("{e}"));
        let x = id("37083119800101001");
        assert_eq!(k1.blind_index(&x), k1.blind_index(&x));
        assert_ne!(k1.blind_index(&x), k2.blind_index(&x));
        assert_ne!(k1.blind_index(&x), k1.blind_index(&id("37083119800101002")));
        assert_eq!(k1.blind_index(&x).len(), 32);
    }

    #[test]
    fn rotation_keeps_old_keys_decrypting() {
        let a = STANDARD.encode([1_u8; 32]);
        let b = STANDARD.encode([2_u8; 32]);
        let blind = STANDARD.encode([3_u8; 32]);
        let old =
            DataKeys::parse(&format!("1:{a}"), None, &blind).unwrap_or_else(|e| panic!("{e}"));
        let both = DataKeys::parse(&format!("1:{a},2:{b}"), None, &blind)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(both.active(), 2);
        let row = Uuid::new_v4();
        let x = id("37083119800101001");
        let (k, blob) = old.encrypt(row, &x).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            both.decrypt(k, row, &blob).ok().as_deref(),
            Some(x.expose())
        );
        assert_eq!(old.blind_index(&x), both.blind_index(&x));
        assert!(DataKeys::parse("1:short", None, &blind).is_err());
        assert!(DataKeys::parse(&format!("1:{a}"), Some(3), &blind).is_err());
    }
}
