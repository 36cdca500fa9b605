package io.fugou.platform.codes;

import java.security.SecureRandom;

/**
 * Codes people read and type (a recruitment code on a poster, a coupon code at checkout, a member's share code): drawn at
 * random from a secure source, so one cannot be guessed from another, in Crockford's base-32 letters (no I, L, O or U,
 * so a code read aloud or off a screen is not misread): 5 bits a character.
 */
public final class RandomCodes {

    private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private RandomCodes() {
    }

    public static String draw(int length) {
        char[] code = new char[length];
        for (int i = 0; i < length; i++) {
            code[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return new String(code);
    }
}
