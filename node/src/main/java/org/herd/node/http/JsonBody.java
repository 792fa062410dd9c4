package org.herd.node.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.math.BigDecimal;
import java.util.Iterator;
import java.util.List;

/**
 * Reads the JSON bodies clients send (locations, places): bounded while parsing, so no body can
 * make the node expand a number or recurse without limit; problems are 400s with the usual body.
 */
final class JsonBody {
    /** Longest number accepted in a body, in characters (a client time needs about 21). */
    static final int MAX_NUMBER_CHARS = 64;
    /** Largest power of ten a number in a body may carry: doubles end at 1e308. */
    static final int MAX_EXPONENT = 400;
    static final int MAX_DEPTH = 32;

    /**
     * Reads decimals exactly, so a numeric client time keeps all of its digits; numbers and
     * nesting are bounded while parsing (StreamReadConstraints), and exponents after, before any
     * number is expanded: {@code 1e300000000} is 11 characters and 300 million digits.
     */
    private static final ObjectMapper BODY = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNumberLength(MAX_NUMBER_CHARS).maxNestingDepth(MAX_DEPTH).build())
            .build())
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private JsonBody() {
    }

    /** Parses a request body: JSON, numbers and nesting bounded (see {@link #BODY}). */
    static JsonNode parse(String body) {
        JsonNode node;
        try {
            node = BODY.readTree(body);
        } catch (JsonProcessingException e) {
            throw new BadRequest("the body is not valid JSON: " + e.getOriginalMessage());
        }
        if (node == null || node.isMissingNode()) {
            throw new BadRequest("the body is empty; it must be JSON");
        }
        requireBoundedNumbers(node);
        return node;
    }

    /** Rejects any number whose exponent is out of range, wherever it is in the body. */
    private static void requireBoundedNumbers(JsonNode node) {
        if (node.isBigDecimal()) {
            BigDecimal d = node.decimalValue();
            // the value is unscaled * 10^-scale; its magnitude is about 10^(precision - scale)
            long magnitude = (long) d.precision() - d.scale();
            if (Math.abs((long) d.scale()) > MAX_EXPONENT || Math.abs(magnitude) > MAX_EXPONENT) {
                throw new BadRequest("a number in the body is out of range: exponents are limited to "
                        + MAX_EXPONENT);
            }
        } else if (node.isContainerNode()) {
            for (JsonNode child : node) {
                requireBoundedNumbers(child);
            }
        }
    }

    /** Rejects a field not in {@code known}, naming it and the fields there are. */
    static void rejectUnknownFields(JsonNode node, List<String> known) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) {
                throw new BadRequest("unknown field \"" + f + "\"; the fields are " + known);
            }
        }
    }
}
