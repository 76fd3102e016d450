// The size limits on SASL input (hostile network bytes, read before any user is known) and on SCRAM
// credentials. Main thread. Each is checked where the bytes are read; going over is a SaslError, never growth.

/** Largest client token any mechanism here accepts (PLAIN message, SCRAM client-first or client-final). */
export const SASL_TOKEN_BYTES_MAX = 4096;
/** Longest user name (PLAIN authcid/authzid, SCRAM n= after unescaping), in UTF-8 bytes. */
export const SASL_USERNAME_BYTES_MAX = 512;
/** Longest PLAIN password, in UTF-8 bytes. */
export const PLAIN_PASSWORD_BYTES_MAX = 1024;
/** Longest SCRAM client nonce (r= of client-first), in characters (printable ASCII). */
export const SCRAM_CLIENT_NONCE_CHARS_MAX = 512;
/** Random bytes in a server nonce (sent base64: 32 characters). */
export const SCRAM_SERVER_NONCE_BYTES = 24;

/** SCRAM iteration counts: Kafka's minimum for both mechanisms, and AlterUserScramCredentials' maximum. */
export const SCRAM_ITERATIONS_MIN = 4096;
export const SCRAM_ITERATIONS_MAX = 16384;
/** Iterations of a new credential when none is given (kafka-configs' default). */
export const SCRAM_ITERATIONS_DEFAULT = 4096;
/** Salt of a new credential; a stored one must have at least the minimum (128 bits, NIST SP 800-132). */
export const SCRAM_SALT_BYTES_DEFAULT = 32;
export const SCRAM_SALT_BYTES_MIN = 16;
export const SCRAM_SALT_BYTES_MAX = 256;
