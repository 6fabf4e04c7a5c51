//! Device passwords: the key file and the encryption.
//!
//! The platform sends a device's password in its own commands to the device, so the password
//! is kept recoverable: encrypted with XChaCha20-Poly1305 under a 32-byte key that lives outside
//! the database, in `DATA_DIR/registry.key` (owner-only permissions). The device's MN is the
//! associated data, so a ciphertext copied to another device's row does not decrypt. The
//! `password_enc` column holds base64 of the 24-byte random nonce followed by the ciphertext.
//!
//! The key file is created on first need (the first device with a password), the way every key
//! file is ([`crate::keyfile`]). A key file that its group or others may access is refused, and
//! so is writing a new password while the key file is missing but the registry already holds
//! passwords encrypted with it (a new key could not decrypt them).

use std::path::{Path, PathBuf};

use base64::Engine as _;
use chacha20poly1305::aead::{Aead, Generate, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use zeroize::Zeroize;

use crate::db::Tx;
use crate::keyfile::{self, KeyFile};
use crate::{Registry, RegistryError};

/// The key file's name in the data directory.
pub const KEY_FILE: &str = "registry.key";

/// What the key is for, in messages.
const PURPOSE: &str = "encrypts device passwords";
/// Bytes of an XChaCha20 nonce.
const NONCE_LEN: usize = 24;
/// Bytes of a Poly1305 tag.
const TAG_LEN: usize = 16;
/// The longest password accepted (HJ 212 devices use 6 to 9 characters).
const PASSWORD_MAX: usize = 64;

/// A device password (the `PW` field of HJ 212 packets). `Debug` and `Display` print `***`;
/// only [`Password::expose`] gives the text. Serialises as the plain text, for files that
/// carry secrets on purpose (an export with secrets, an import); the audit log never holds it.
/// The text is wiped from memory when the value is dropped.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Password(String);

impl Password {
    /// A password from its text.
    pub fn new(text: impl Into<String>) -> Password {
        Password(text.into())
    }

    /// The text, to send to the device. Never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the text is empty (an update without a new password).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Why this password cannot be a device's (the reason never contains the password).
    pub(crate) fn check(&self, mn: &str) -> Result<(), String> {
        let ok = self.0.len() <= PASSWORD_MAX
            && self
                .0
                .bytes()
                .all(|b| b.is_ascii_graphic() && !matches!(b, b';' | b',' | b'&' | b'='));
        if ok {
            Ok(())
        } else {
            Err(format!(
                "device {mn}: password (not shown): must be 1 to {PASSWORD_MAX} printable ASCII \
                 characters without spaces, `;`, `,`, `&` or `=` (the HJ 212 PW field)"
            ))
        }
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

impl std::fmt::Display for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

impl Drop for Password {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// The key, read from the key file (wiped when dropped).
pub(crate) type Key = KeyFile;

impl Key {
    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&self.bytes.into())
    }

    /// `password` encrypted for device `mn`: base64 of nonce || ciphertext.
    pub(crate) fn encrypt(&self, mn: &str, password: &Password) -> Result<String, RegistryError> {
        let nonce = XNonce::try_generate().map_err(|e| {
            RegistryError::Corrupt(format!("the OS random number generator failed: {e}"))
        })?;
        let payload = Payload {
            msg: password.expose().as_bytes(),
            aad: mn.as_bytes(),
        };
        let sealed = self.cipher().encrypt(&nonce, payload).map_err(|_| {
            RegistryError::Corrupt(format!("device {mn}: the password cannot be encrypted"))
        })?;
        let mut blob = Vec::with_capacity(NONCE_LEN + sealed.len());
        blob.extend_from_slice(&nonce);
        blob.extend_from_slice(&sealed);
        Ok(base64::engine::general_purpose::STANDARD.encode(blob))
    }

    /// The password of device `mn` from its stored `password_enc`.
    pub(crate) fn decrypt(&self, mn: &str, stored: &str) -> Result<Password, RegistryError> {
        let blob = base64::engine::general_purpose::STANDARD
            .decode(stored)
            .map_err(|_| {
                RegistryError::Corrupt(format!(
                    "device {mn}: the stored password is not base64 (the row was altered)"
                ))
            })?;
        if blob.len() < NONCE_LEN + TAG_LEN {
            return Err(RegistryError::Corrupt(format!(
                "device {mn}: the stored password is {} bytes, too short to be encrypted",
                blob.len()
            )));
        }
        let (nonce, sealed) = blob.split_at(NONCE_LEN);
        let nonce = XNonce::try_from(nonce).map_err(|_| {
            RegistryError::Corrupt(format!("device {mn}: the stored nonce is malformed"))
        })?;
        let payload = Payload {
            msg: sealed,
            aad: mn.as_bytes(),
        };
        let plain = self.cipher().decrypt(&nonce, payload).map_err(|_| {
            RegistryError::Corrupt(format!(
                "device {mn}: the stored password does not decrypt with the key file {}: the \
                 key file was replaced since the password was set, or the row was copied from \
                 another device or registry; restore the original key file, or set the \
                 device's password again",
                self.path.display()
            ))
        })?;
        String::from_utf8(plain).map(Password).map_err(|e| {
            let mut bytes = e.into_bytes();
            bytes.zeroize();
            RegistryError::Corrupt(format!("device {mn}: the stored password is not UTF-8"))
        })
    }
}

/// `DATA_DIR/registry.key`.
pub(crate) fn key_path(data_dir: &Path) -> PathBuf {
    data_dir.join(KEY_FILE)
}

/// The key for encrypting a new password inside `tx`: the key file's, or a new key file if
/// there is none and the registry holds no encrypted password yet.
pub(crate) async fn key_for_write(registry: &Registry, tx: &mut Tx) -> Result<Key, RegistryError> {
    let path = key_path(registry.data_dir());
    if let Some(key) = keyfile::read(&path, PURPOSE)? {
        return Ok(key);
    }
    let stored: i64 = sqlx::query("SELECT COUNT(*) FROM devices")
        .fetch_one(&mut **tx)
        .await?
        .try_get(0)?;
    if stored > 0 {
        return Err(missing_key(&path, stored));
    }
    keyfile::create(&path, PURPOSE)
}

/// The key for decrypting the registry's stored passwords (there are some).
pub(crate) fn key_for_read(registry: &Registry, stored: usize) -> Result<Key, RegistryError> {
    let path = key_path(registry.data_dir());
    keyfile::read(&path, PURPOSE)?.ok_or_else(|| missing_key(&path, stored as i64))
}

fn missing_key(path: &Path, stored: i64) -> RegistryError {
    RegistryError::Corrupt(format!(
        "key file {} is missing, but the registry holds {stored} device password(s) encrypted \
         with it; restore the key file from a backup (a new key could not decrypt them)",
        path.display()
    ))
}

impl Registry {
    /// The key file that encrypts device passwords (`DATA_DIR/registry.key`); it may not exist
    /// yet. Back it up with the database: without it the stored passwords are lost.
    pub fn key_file(&self) -> PathBuf {
        key_path(self.data_dir())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> Key {
        Key {
            bytes: [7; keyfile::KEY_LEN],
            path: PathBuf::from("/data/registry.key"),
        }
    }

    #[test]
    fn passwords_round_trip_and_are_bound_to_the_mn() {
        let k = key();
        let pw = Password::new("123456");
        let a = k.encrypt("88888880000001", &pw).unwrap();
        let b = k.encrypt("88888880000001", &pw).unwrap();
        assert_ne!(a, b, "a fresh nonce each time");
        assert!(!a.contains("123456"));
        assert_eq!(k.decrypt("88888880000001", &a).unwrap(), pw);
        let e = k.decrypt("88888880000002", &a).unwrap_err().to_string();
        assert!(e.contains("device 88888880000002"), "{e}");
        assert!(e.contains("/data/registry.key"), "{e}");
        assert!(!e.contains("123456"), "{e}");
        assert!(k.decrypt("x", "not base64!").is_err());
        assert!(k
            .decrypt("x", "AAAA")
            .unwrap_err()
            .to_string()
            .contains("short"));
    }

    #[test]
    fn passwords_never_print() {
        let pw = Password::new("s3cret");
        assert_eq!(format!("{pw:?} {pw}"), "*** ***");
        assert_eq!(pw.expose(), "s3cret");
        assert!(Password::new("a b").check("X").is_err());
        assert!(Password::new("a;b").check("X").is_err());
        let e = Password::new("bad=pw").check("X").unwrap_err();
        assert!(!e.contains("bad=pw"), "{e}");
        assert!(Password::new("Ab1!@#").check("X").is_ok());
    }
}
