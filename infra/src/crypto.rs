//! Password hashing (argon2id) and opaque refresh tokens.

use anyhow::anyhow;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest as _, Sha256};

/// argon2id cost parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashCost {
    /// Memory in KiB.
    pub m_kib: u32,
    /// Iterations.
    pub t: u32,
    /// Lanes.
    pub p: u32,
}

impl HashCost {
    /// OWASP's argon2id recommendation: m = 19 MiB, t = 2, p = 1 (argon2's defaults).
    pub const OWASP: Self = Self {
        m_kib: 19_456,
        t: 2,
        p: 1,
    };
    /// Cheap parameters for tests only.
    pub const TEST: Self = Self {
        m_kib: 1024,
        t: 1,
        p: 1,
    };
}

/// Hashes and verifies passwords; verifies a dummy hash for unknown accounts so that an
/// unknown user costs the same as a wrong password.
#[derive(Debug, Clone)]
pub struct PasswordHasher {
    argon: Argon2<'static>,
    dummy: String,
}

impl PasswordHasher {
    /// A hasher with `cost`.
    ///
    /// # Errors
    /// When the parameters are out of argon2's range.
    pub fn new(cost: HashCost) -> anyhow::Result<Self> {
        let params = Params::new(cost.m_kib, cost.t, cost.p, None)
            .map_err(|e| anyhow!("bad argon2 parameters: {e}"))?;
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let mut seed = [0_u8; 24];
        getrandom::fill(&mut seed).map_err(|e| anyhow!("no randomness: {e}"))?;
        let dummy = argon
            .hash_password(&seed)
            .map_err(|e| anyhow!("cannot hash: {e}"))?
            .to_string();
        Ok(Self { argon, dummy })
    }

    /// A PHC string for `password`, with a fresh random salt.
    ///
    /// # Errors
    /// When hashing fails (out of memory).
    pub fn hash(&self, password: &str) -> anyhow::Result<String> {
        Ok(self
            .argon
            .hash_password(password.as_bytes())
            .map_err(|e| anyhow!("cannot hash: {e}"))?
            .to_string())
    }

    /// Whether `password` matches `phc`; with `None`, spends the same time on a dummy hash and
    /// answers false.
    pub fn verify(&self, password: &str, phc: Option<&str>) -> bool {
        match phc {
            Some(h) => self.argon.verify_password(password.as_bytes(), h).is_ok(),
            None => {
                let _ = self
                    .argon
                    .verify_password(password.as_bytes(), self.dummy.as_str());
                false
            }
        }
    }
}

/// A new opaque refresh token: 256 random bits, base64url, with a recognisable prefix.
///
/// # Errors
/// When the system has no randomness.
pub fn new_refresh_token() -> anyhow::Result<String> {
    let mut bytes = [0_u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow!("no randomness: {e}"))?;
    Ok(format!("zxr_{}", URL_SAFE_NO_PAD.encode(bytes)))
}

/// SHA-256 of a token: what the database stores and looks up.
pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_dummy_never_matches() {
        let h = PasswordHasher::new(HashCost::TEST).unwrap_or_else(|e| panic!("{e}"));
        let phc = h.hash("correct horse").unwrap_or_default();
        assert!(phc.starts_with("$argon2id$"));
        assert!(h.verify("correct horse", Some(&phc)));
        assert!(!h.verify("wrong horse", Some(&phc)));
        assert!(!h.verify("correct horse", None));
        assert!(!h.verify("x", Some("not a phc string")));
    }

    #[test]
    fn owasp_cost_matches_argon2_defaults() {
        let d = Params::default();
        assert_eq!(
            (d.m_cost(), d.t_cost(), d.p_cost()),
            (HashCost::OWASP.m_kib, HashCost::OWASP.t, HashCost::OWASP.p)
        );
    }

    #[test]
    fn refresh_tokens_are_random_and_hashed() {
        let a = new_refresh_token().unwrap_or_default();
        let b = new_refresh_token().unwrap_or_default();
        assert_ne!(a, b);
        assert!(a.starts_with("zxr_") && a.len() > 40);
        assert_eq!(token_hash(&a).len(), 32);
        assert_eq!(token_hash(&a), token_hash(&a));
    }
}
