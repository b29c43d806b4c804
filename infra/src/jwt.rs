//! Access tokens: EdDSA-signed JWTs with a `kid`, verified against a ring of keys.
//!
//! Keys live as PKCS#8 PEM files named `<kid>.pem` in one directory, the kid being the key's
//! creation time (`k20261129T070000Z`). The newest key signs; an older key keeps verifying
//! until `grace` after the key that superseded it was created, then it is ignored (and removed
//! by the next rotation). Only the algorithm EdDSA is accepted, the kid is looked up in this
//! fixed map (never fetched), and `exp nbf iat iss aud sub` are required.
//!
//! A ring loaded from a directory reads it again every minute, and when a token names a kid it
//! does not hold (at most every five seconds): after `zhenxing rotate-key` on one
//! machine of a shared directory, every instance signs with the new key within a minute and
//! accepts the tokens the others sign with it (within five seconds at most), without a restart.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

use anyhow::{Context as _, anyhow, bail};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, NaiveDateTime, Utc};
use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::{
    DecodePrivateKey as _, EncodePrivateKey as _, spki::der::pem::LineEnding,
};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The `typ` header of access tokens (RFC 9068), so no other kind of JWT passes as one.
pub const ACCESS_TYP: &str = "at+jwt";
const KID_FORMAT: &str = "k%Y%m%dT%H%M%SZ";

/// Claims of an access token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// User id.
    pub sub: Uuid,
    /// Expiry (Unix seconds).
    pub exp: i64,
    /// Not before.
    pub nbf: i64,
    /// Issued at.
    pub iat: i64,
    /// Token id.
    pub jti: Uuid,
    /// Session (refresh family) id: the token dies with its session.
    pub sid: Uuid,
    /// The user's org unit (12 digits) when the token was issued: sets the request's scope.
    pub org: String,
}

/// Issuer, audience and lifetimes.
#[derive(Debug, Clone)]
pub struct TokenPolicy {
    /// `iss` of issued tokens and the only one accepted.
    pub issuer: String,
    /// `aud` of issued tokens and the only one accepted.
    pub audience: String,
    /// Access-token lifetime (at most 15 minutes).
    pub access_ttl: Duration,
    /// Clock-skew allowance when checking `exp` and `nbf` (at most 30 s).
    pub leeway: Duration,
}

impl TokenPolicy {
    /// Checks the bounds the security policy sets.
    ///
    /// # Errors
    /// When the lifetime exceeds 15 minutes or the leeway 30 seconds.
    pub fn validate(&self) -> anyhow::Result<()> {
        if self.access_ttl > Duration::from_secs(900) || self.access_ttl.is_zero() {
            bail!("the access-token lifetime must be between 1 s and 15 minutes");
        }
        if self.leeway > Duration::from_secs(30) {
            bail!("the token leeway must be at most 30 s");
        }
        Ok(())
    }
}

struct VerifyKey {
    decoding: DecodingKey,
    x: String,
}

/// The keys as loaded at one moment: the signing key and every key that still verifies.
struct Ring {
    active_kid: String,
    encoding: EncodingKey,
    verifying: HashMap<String, VerifyKey>,
}

/// Where a ring was loaded from, to read again.
struct Source {
    dir: PathBuf,
    grace: Duration,
    /// When the directory was last read, and when an unknown kid last made it read (an unknown
    /// kid is looked for at once, then at most every few seconds, whatever the periodic reads).
    read_at: Mutex<(Instant, Option<Instant>)>,
}

/// How often a ring from a directory reads it again, and how soon again after an unknown kid.
const REREAD_EVERY: Duration = Duration::from_secs(60);
const REREAD_UNKNOWN_AFTER: Duration = Duration::from_secs(5);

/// The signing key and every key that still verifies; read again from its directory (see the
/// module's documentation).
pub struct KeyRing {
    ring: RwLock<Arc<Ring>>,
    source: Option<Source>,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ring = self.current();
        f.debug_struct("KeyRing")
            .field("active_kid", &ring.active_kid)
            .field("verifying", &ring.verifying.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// Why a token was refused (for logs; the client only ever sees 401).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Not a JWT, or a header we do not accept (`alg`, `typ`, missing `kid`).
    #[error("malformed token or unacceptable header")]
    Malformed,
    /// A kid we do not hold (never looked up anywhere else).
    #[error("unknown signing key")]
    UnknownKey,
    /// Signature, expiry, audience, issuer or a required claim failed.
    #[error("invalid token")]
    Invalid,
}

fn random_signing_key() -> anyhow::Result<SigningKey> {
    let mut seed = [0_u8; 32];
    getrandom::fill(&mut seed).map_err(|e| anyhow!("no randomness: {e}"))?;
    Ok(SigningKey::from_bytes(&seed))
}

fn kid_time(kid: &str) -> Option<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(kid, KID_FORMAT)
        .ok()
        .map(|t| t.and_utc())
}

impl KeyRing {
    /// A ring from keys in order of creation; the last one signs.
    ///
    /// # Errors
    /// When `keys` is empty or a key cannot be encoded.
    pub fn from_keys(keys: Vec<(String, SigningKey)>) -> anyhow::Result<Self> {
        Ok(Self {
            ring: RwLock::new(Arc::new(Ring::new(keys)?)),
            source: None,
        })
    }

    /// The keys now (a reading of the directory may replace them).
    fn current(&self) -> Arc<Ring> {
        self.ring
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Reads the directory again if the last reading is older than `after` (or, for an unknown
    /// kid, if none has made it read yet); whether it did.
    fn reread(&self, after: Duration, unknown_kid: bool) -> bool {
        let Some(source) = &self.source else {
            return false;
        };
        {
            let mut at = source
                .read_at
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let (last, last_unknown) = *at;
            let now = Instant::now();
            let due = if unknown_kid {
                last_unknown.is_none_or(|t| t.elapsed() >= after)
            } else {
                last.elapsed() >= after
            };
            if !due {
                return false;
            }
            *at = (now, if unknown_kid { Some(now) } else { last_unknown });
        }
        match Ring::load(&source.dir, source.grace, Utc::now()) {
            Ok(ring) => {
                *self.ring.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(ring);
                true
            }
            Err(e) => {
                // The keys held stay in use: a directory half-written by a rotation, or
                // unreadable for a moment, must not take the instance's tokens down.
                tracing::warn!(error = %e, "cannot read the signing keys again; keeping those held");
                false
            }
        }
    }
}

impl Ring {
    fn new(keys: Vec<(String, SigningKey)>) -> anyhow::Result<Self> {
        let Some((active_kid, active)) = keys.last() else {
            bail!("no signing key");
        };
        let der = active
            .to_pkcs8_der()
            .map_err(|e| anyhow!("cannot encode key: {e}"))?;
        let encoding = EncodingKey::from_ed_der(der.as_bytes());
        let mut verifying = HashMap::new();
        for (kid, key) in &keys {
            let x = URL_SAFE_NO_PAD.encode(key.verifying_key().to_bytes());
            let decoding = DecodingKey::from_ed_components(&x)?;
            verifying.insert(kid.clone(), VerifyKey { decoding, x });
        }
        Ok(Self {
            active_kid: active_kid.clone(),
            encoding,
            verifying,
        })
    }

    fn load(dir: &Path, grace: Duration, now: DateTime<Utc>) -> anyhow::Result<Self> {
        let mut kids: Vec<(String, std::path::PathBuf)> = std::fs::read_dir(dir)
            .with_context(|| format!("cannot read key directory {}", dir.display()))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "pem"))
            .filter_map(|p| {
                let kid = p.file_stem()?.to_str()?.to_string();
                kid_time(&kid).map(|_| (kid, p))
            })
            .collect();
        kids.sort();
        let grace = chrono::Duration::from_std(grace)?;
        let mut keys = Vec::new();
        for (i, (kid, path)) in kids.iter().enumerate() {
            let superseded = kids.get(i + 1).and_then(|(next, _)| kid_time(next));
            if superseded.is_some_and(|t| t + grace < now) {
                continue;
            }
            let pem = std::fs::read_to_string(path)?;
            let key = SigningKey::from_pkcs8_pem(&pem)
                .map_err(|e| anyhow!("{}: not an Ed25519 PKCS#8 key: {e}", path.display()))?;
            keys.push((kid.clone(), key));
        }
        Self::new(keys)
    }
}

impl KeyRing {
    /// A ring with one fresh in-memory key (tokens die with the process: demo and tests).
    ///
    /// # Errors
    /// When the system has no randomness.
    pub fn ephemeral() -> anyhow::Result<Self> {
        Self::from_keys(vec![(
            Utc::now().format(KID_FORMAT).to_string(),
            random_signing_key()?,
        )])
    }

    /// Loads `<kid>.pem` files from `dir`; keys superseded more than `grace` ago are left out.
    ///
    /// # Errors
    /// When the directory holds no key, or a file is not a PKCS#8 Ed25519 key.
    pub fn load_dir(dir: &Path, grace: Duration, now: DateTime<Utc>) -> anyhow::Result<Self> {
        Ok(Self {
            ring: RwLock::new(Arc::new(Ring::load(dir, grace, now)?)),
            source: Some(Source {
                dir: dir.to_path_buf(),
                grace,
                read_at: Mutex::new((Instant::now(), None)),
            }),
        })
    }

    /// Writes a new key into `dir` (it signs from the next start) and deletes keys whose grace
    /// period has ended. Returns the new kid.
    ///
    /// # Errors
    /// When the directory cannot be written.
    pub fn rotate_dir(dir: &Path, grace: Duration, now: DateTime<Utc>) -> anyhow::Result<String> {
        std::fs::create_dir_all(dir)?;
        let kid = now.format(KID_FORMAT).to_string();
        let pem = random_signing_key()?
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| anyhow!("cannot encode key: {e}"))?;
        // Written beside and renamed: an instance reading the directory meanwhile never meets a
        // half-written key (it reads `.pem` files only).
        let path = dir.join(format!("{kid}.pem"));
        let part = dir.join(format!("{kid}.pem.part"));
        std::fs::write(&part, pem.as_bytes())?;
        restrict_permissions(&part)?;
        std::fs::rename(&part, &path)?;
        // Keys superseded by a later key more than `grace` ago are dead: remove them.
        let mut kids: Vec<String> = std::fs::read_dir(dir)?
            .filter_map(Result::ok)
            .filter_map(|e| e.path().file_stem()?.to_str().map(str::to_owned))
            .filter(|k| kid_time(k).is_some())
            .collect();
        kids.sort();
        let grace = chrono::Duration::from_std(grace)?;
        for pair in kids.windows(2) {
            if let [old, next] = pair
                && kid_time(next).is_some_and(|t| t + grace < now)
            {
                std::fs::remove_file(dir.join(format!("{old}.pem")))?;
            }
        }
        Ok(kid)
    }

    /// The kid that signs.
    pub fn active_kid(&self) -> String {
        self.reread(REREAD_EVERY, false);
        self.current().active_kid.clone()
    }

    /// The public keys as a JWKS document.
    pub fn jwks(&self) -> serde_json::Value {
        self.reread(REREAD_EVERY, false);
        let mut keys: Vec<_> = self
            .current()
            .verifying
            .iter()
            .map(|(kid, k)| {
                serde_json::json!({
                    "kty": "OKP", "crv": "Ed25519", "x": k.x, "kid": kid, "alg": "EdDSA", "use": "sig"
                })
            })
            .collect();
        keys.sort_by(|a, b| a["kid"].as_str().cmp(&b["kid"].as_str()));
        serde_json::json!({ "keys": keys })
    }

    /// Signs an access token for `user` in `session`, scoped by `org`.
    ///
    /// # Errors
    /// When signing fails.
    pub fn sign_access(
        &self,
        policy: &TokenPolicy,
        user: Uuid,
        session: Uuid,
        org: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<(String, AccessClaims)> {
        let iat = now.timestamp();
        let ttl = i64::try_from(policy.access_ttl.as_secs()).unwrap_or(900);
        let claims = AccessClaims {
            iss: policy.issuer.clone(),
            aud: policy.audience.clone(),
            sub: user,
            exp: iat + ttl,
            nbf: iat,
            iat,
            jti: Uuid::new_v4(),
            sid: session,
            org: org.to_string(),
        };
        self.reread(REREAD_EVERY, false);
        let ring = self.current();
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(ring.active_kid.clone());
        header.typ = Some(ACCESS_TYP.into());
        let token = jsonwebtoken::encode(&header, &claims, &ring.encoding)?;
        Ok((token, claims))
    }

    /// Verifies an access token: EdDSA only, a kid we hold, `typ` at+jwt, signature, `exp`,
    /// `nbf`, issuer, audience and every required claim.
    ///
    /// # Errors
    /// [`TokenError`] saying which check failed.
    pub fn verify_access(
        &self,
        policy: &TokenPolicy,
        token: &str,
    ) -> Result<AccessClaims, TokenError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| TokenError::Malformed)?;
        if header.alg != Algorithm::EdDSA || header.typ.as_deref() != Some(ACCESS_TYP) {
            return Err(TokenError::Malformed);
        }
        let kid = header.kid.ok_or(TokenError::Malformed)?;
        let mut ring = self.current();
        if !ring.verifying.contains_key(&kid) && self.reread(REREAD_UNKNOWN_AFTER, true) {
            // Perhaps signed with a key another instance made since this one read the keys.
            ring = self.current();
        }
        let key = ring.verifying.get(&kid).ok_or(TokenError::UnknownKey)?;
        let mut v = Validation::new(Algorithm::EdDSA);
        v.set_issuer(&[&policy.issuer]);
        v.set_audience(&[&policy.audience]);
        v.set_required_spec_claims(&["exp", "nbf", "iat", "iss", "aud", "sub"]);
        v.validate_exp = true;
        v.validate_nbf = true;
        v.leeway = policy.leeway.as_secs();
        jsonwebtoken::decode::<AccessClaims>(token, &key.decoding, &v)
            .map(|d| d.claims)
            .map_err(|_| TokenError::Invalid)
    }
}

#[cfg(unix)]
fn restrict_permissions(path: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    Ok(())
}

#[cfg(not(unix))]
fn restrict_permissions(_: &Path) -> anyhow::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> TokenPolicy {
        TokenPolicy {
            issuer: "zx".into(),
            audience: "zx-api".into(),
            access_ttl: Duration::from_secs(600),
            leeway: Duration::from_secs(5),
        }
    }

    #[test]
    fn signs_and_verifies_with_the_release_backend() {
        let ring = KeyRing::ephemeral().unwrap_or_else(|e| panic!("{e}"));
        let (token, claims) = ring
            .sign_access(
                &policy(),
                Uuid::new_v4(),
                Uuid::new_v4(),
                "370831000000",
                Utc::now(),
            )
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ring.verify_access(&policy(), &token), Ok(claims));
        let mut other = policy();
        other.audience = "else".into();
        assert_eq!(ring.verify_access(&other, &token), Err(TokenError::Invalid));
        assert_eq!(ring.jwks()["keys"][0]["kid"], ring.active_kid());
    }

    #[test]
    fn rotation_keeps_old_keys_for_the_grace_period() {
        let dir = std::env::temp_dir().join(format!("zx-keys-{}", Uuid::new_v4()));
        let t0 = Utc::now() - chrono::Duration::days(10);
        let grace = Duration::from_secs(3600);
        let old = KeyRing::rotate_dir(&dir, grace, t0).unwrap_or_default();
        let old_ring = KeyRing::load_dir(&dir, grace, t0).unwrap_or_else(|e| panic!("{e}"));
        let (token, _) = old_ring
            .sign_access(&policy(), Uuid::nil(), Uuid::nil(), "0", Utc::now())
            .unwrap_or_else(|e| panic!("{e}"));
        let t1 = t0 + chrono::Duration::days(1);
        let new = KeyRing::rotate_dir(&dir, grace, t1).unwrap_or_default();
        // Inside the grace period the old key still verifies; the new one signs.
        let ring = KeyRing::load_dir(&dir, grace, t1 + chrono::Duration::minutes(30))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ring.active_kid(), new);
        assert!(ring.verify_access(&policy(), &token).is_ok());
        // After it, the old key is gone.
        let ring = KeyRing::load_dir(&dir, grace, t1 + chrono::Duration::hours(2))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            ring.verify_access(&policy(), &token),
            Err(TokenError::UnknownKey)
        );
        let _ = KeyRing::rotate_dir(&dir, grace, t1 + chrono::Duration::hours(3));
        assert!(!dir.join(format!("{old}.pem")).exists());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_instance_takes_up_a_key_rotated_elsewhere_without_a_restart() {
        let dir = std::env::temp_dir().join(format!("zx-keys-{}", Uuid::new_v4()));
        let grace = Duration::from_secs(3600);
        let now = Utc::now();
        let first = KeyRing::rotate_dir(&dir, grace, now - chrono::Duration::minutes(10))
            .unwrap_or_default();
        let running = KeyRing::load_dir(&dir, grace, now).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(running.active_kid(), first);
        // Another machine rotates the shared directory and its restarted instance signs.
        let second = KeyRing::rotate_dir(&dir, grace, now).unwrap_or_default();
        let restarted = KeyRing::load_dir(&dir, grace, now).unwrap_or_else(|e| panic!("{e}"));
        let (token, claims) = restarted
            .sign_access(&policy(), Uuid::nil(), Uuid::nil(), "0", now)
            .unwrap_or_else(|e| panic!("{e}"));
        // The running instance accepts it (it reads the keys again for the unknown kid) and
        // signs with the new key from then on.
        assert_eq!(running.verify_access(&policy(), &token), Ok(claims));
        assert_eq!(running.active_kid(), second);
        // A made-up kid right after does not make it read the directory again.
        let forged = {
            let mut header = Header::new(Algorithm::EdDSA);
            header.kid = Some("k20991231T000000Z".into());
            header.typ = Some(ACCESS_TYP.into());
            let ring = running.current();
            jsonwebtoken::encode(&header, &serde_json::json!({}), &ring.encoding)
                .unwrap_or_default()
        };
        let read_at = |r: &KeyRing| {
            r.source
                .as_ref()
                .map(|s| s.read_at.lock().unwrap_or_else(PoisonError::into_inner).0)
        };
        let before = read_at(&running);
        assert_eq!(
            running.verify_access(&policy(), &forged),
            Err(TokenError::UnknownKey)
        );
        assert!(before.is_some() && read_at(&running) == before);
        // An in-memory ring has nothing to read.
        let ephemeral = KeyRing::ephemeral().unwrap_or_else(|e| panic!("{e}"));
        assert!(!ephemeral.reread(Duration::ZERO, true));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
