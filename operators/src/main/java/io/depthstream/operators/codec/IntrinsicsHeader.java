package io.depthstream.operators.codec;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.depthstream.model.geometry.Intrinsics;

import java.nio.charset.StandardCharsets;

/** Parses the {@code ds.intrinsics} header: JSON {@code {"fx":…,"fy":…,"cx":…,"cy":…}} in pixels of the frame. */
public final class IntrinsicsHeader {

    // trailing text after the object is as malformed as a missing brace
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final String[] FIELDS = {"fx", "fy", "cx", "cy"};

    private IntrinsicsHeader() {
    }

    /**
     * The intrinsics in {@code header} for a {@code width×height} frame, or KITTI's normalised intrinsics scaled
     * to the frame when the header is absent.
     *
     * @throws InvalidFrameException when the header is not that JSON object or the values are implausible
     */
    public static Intrinsics parse(byte[] header, int width, int height) throws InvalidFrameException {
        if (header == null) {
            return Intrinsics.kittiNormalised(width, height);
        }
        String text = new String(header, StandardCharsets.UTF_8);
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (Exception e) {
            throw malformed(text, "not JSON");
        }
        if (node == null || !node.isObject()) {
            throw malformed(text, "not a JSON object");
        }
        double[] values = new double[FIELDS.length];
        for (int i = 0; i < FIELDS.length; i++) {
            JsonNode field = node.get(FIELDS[i]);
            if (field == null || !field.isNumber()) {
                throw malformed(text, "\"" + FIELDS[i] + "\" is " + (field == null ? "missing" : "not a number"));
            }
            values[i] = field.asDouble();
        }
        Intrinsics intrinsics = new Intrinsics(values[0], values[1], values[2], values[3]);
        String implausibility = intrinsics.implausibility(width, height);
        if (implausibility != null) {
            throw new InvalidFrameException(WireFormat.INTRINSICS + " rejected: " + implausibility);
        }
        return intrinsics;
    }

    private static InvalidFrameException malformed(String text, String problem) {
        String shown = IncomingFrame.printable(text, 120);
        return new InvalidFrameException("malformed " + WireFormat.INTRINSICS + " (" + problem
                + "; expected {\"fx\":…,\"fy\":…,\"cx\":…,\"cy\":…}): " + shown);
    }
}
