// Limits the browser's form attributes and the server's validation share.

export const USERNAME_RULE = "3 to 32 letters, digits, _ or -";
export const USERNAME_PATTERN = /^[A-Za-z0-9_-]{3,32}$/;
export const PASSWORD_MIN_LENGTH = 8;
// Long enough for any passphrase, short enough that hashing it costs nothing extra.
export const PASSWORD_MAX_LENGTH = 1024;

export const TITLE_MAX_LENGTH = 200;
export const TEXT_MAX_LENGTH = 100_000;

export const TOKEN_NAME_MAX_LENGTH = 100;

/** Describes a post's image for people who cannot see it. */
export const IMAGE_ALT_MAX_LENGTH = 300;
export const IMAGE_MAX_BYTES = 10 * 1024 * 1024;
/** What an upload may be; the server decodes it to be sure (app/utils/image.server.ts). */
export const IMAGE_TYPES = ["image/png", "image/jpeg", "image/webp", "image/gif"] as const;
