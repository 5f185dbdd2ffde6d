"""Sealed records (DESIGN §6): a phone seals each record to the server's public key the moment
it is saved and can never read it back; only the server opens it.

Construction: ephemeral-static ECDH on P-256, HKDF-SHA-256 (salt: the ephemeral public key;
info: "outreach seal v1 " and the key id) and AES-256-GCM with a 96-bit random IV; the
associated data binds the ciphertext to the key id, the record id and its author's username,
so a sealed body cannot be moved to another id or opened for another user.

`keys` holds the server's key pairs by id (every one still opens; the newest is handed out);
`envelope` opens (and, for tests and benchmarks, seals) a record.
"""
