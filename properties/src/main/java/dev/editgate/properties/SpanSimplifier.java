package dev.editgate.properties;

import java.util.List;

/**
 * A generator-specific shrink pass: given the value a span produced, proposes encodings of simpler
 * values, best first. The shrinker splices each one in place of the span and keeps the first that
 * still fails and makes the whole sequence shortlex-smaller.
 */
interface SpanSimplifier {
    List<long[]> simplerEncodings(Object value);
}
