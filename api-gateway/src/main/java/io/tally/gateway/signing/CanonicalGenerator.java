package io.tally.gateway.signing;

import java.math.BigDecimal;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.SerializableString;
import tools.jackson.core.util.JsonGeneratorDelegate;

/**
 * A generator that writes what serializers give it in {@link CanonicalJson}'s form: strings escaped as
 * {@code JSON.stringify} escapes them, every floating-point number as {@code JSON.stringify} writes a double. Integers,
 * booleans, nulls and structure are Jackson's own compact output, which is already that form. Keys are passed on as
 * they are when both escapings agree on them (no control character, quote, backslash or surrogate); any other key ends
 * the writing with {@link KeyNeedsEscaping}. Not thread-safe, like every generator.
 */
final class CanonicalGenerator extends JsonGeneratorDelegate {

    /** A key the generator cannot write in canonical form; the caller writes the value another way. */
    static final class KeyNeedsEscaping extends RuntimeException {
        KeyNeedsEscaping() {
            super(null, null, false, false);
        }
    }

    CanonicalGenerator(JsonGenerator generator) {
        super(generator, false);
    }

    @Override
    public JsonGenerator writeName(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\' || Character.isSurrogate(c)) {
                throw new KeyNeedsEscaping();
            }
        }
        return super.writeName(name);
    }

    @Override
    public JsonGenerator writeName(SerializableString name) {
        return writeName(name.getValue());
    }

    @Override
    public JsonGenerator writeString(String text) {
        if (text == null) {
            return writeNull();
        }
        var quoted = new StringBuilder(text.length() + 8);
        CanonicalJson.string(quoted, text);
        return super.writeRawValue(quoted.toString());
    }

    @Override
    public JsonGenerator writeString(char[] text, int offset, int length) {
        return writeString(new String(text, offset, length));
    }

    @Override
    public JsonGenerator writeString(SerializableString text) {
        return writeString(text.getValue());
    }

    @Override
    public JsonGenerator writeNumber(double value) {
        return super.writeNumber(CanonicalJson.number(value));
    }

    @Override
    public JsonGenerator writeNumber(float value) {
        return writeNumber((double) value);
    }

    @Override
    public JsonGenerator writeNumber(BigDecimal value) {
        return value == null ? writeNull() : writeNumber(value.doubleValue());
    }
}
