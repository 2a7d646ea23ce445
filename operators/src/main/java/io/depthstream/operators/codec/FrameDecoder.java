package io.depthstream.operators.codec;

import io.depthstream.model.data.ImageResizer;
import io.depthstream.model.data.RgbImage;
import io.depthstream.model.geometry.Intrinsics;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Decodes, validates and resizes frame records: every {@link IncomingFrame} becomes either a {@link Frame} at network
 * resolution (RGB8, intrinsics and semantic map rescaled with it) or a {@link RejectedRecord} on {@link #REJECTED}
 * with a one-line reason. It never throws on input data.
 *
 * <p>Rejected, each with a one-line reason: a missing, empty or non-UTF-8 key (the camera id); a missing {@code ds.seq}
 * or one that is not plain ASCII decimal digits in {@code 0..}{@value #MAX_SEQ} (negative, out of range, other scripts'
 * digits, binary bytes); a record without timestamp; a missing or empty value or one that is not a PNG or JPEG; a
 * PNG whose chunks fail their CRC or whose image data is corrupt or truncated; a JPEG its decoder warns about
 * (truncated or corrupt data); an image outside the size limits of {@link EncodedImageReader} — each side
 * {@value EncodedImageReader#MIN_SIDE}…{@value EncodedImageReader#MAX_SIDE} pixels and at most
 * {@link EncodedImageReader#MAX_PIXELS} pixels, checked on the header before any pixel is decoded, so a huge image
 * costs no memory; an image without exactly three colour channels (grey frames are rejected, alpha is ignored); a
 * malformed or implausible {@code ds.intrinsics} (not finite, focal lengths not positive or over 100× the image
 * side, principal point far outside the image); a {@code ds.semantic} that is not an 8-bit single-channel or
 * palette PNG of the frame's size (checked on its header too). Metrics: counters {@value #ACCEPTED_METRIC} and
 * {@value #REJECTED_METRIC}.
 */
public final class FrameDecoder extends ProcessFunction<IncomingFrame, Frame> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(FrameDecoder.class);

    /** Side output of records that could not be decoded; they belong on the dead-letter topic. */
    public static final OutputTag<RejectedRecord> REJECTED = new OutputTag<>("rejected-frames") { };

    /**
     * The largest {@code ds.seq} accepted, 2^53−1: the pose records carry it as a JSON number, which JavaScript and
     * other double-based readers hold exactly only up to here, and the triplet assembler's {@code seq + 1} stays far
     * from overflow.
     */
    public static final long MAX_SEQ = (1L << 53) - 1;

    /** Counter of frames decoded and emitted. */
    public static final String ACCEPTED_METRIC = "framesAccepted";
    /** Counter of records sent to {@link #REJECTED}. */
    public static final String REJECTED_METRIC = "framesRejected";

    private final int networkWidth;
    private final int networkHeight;

    private transient Counter accepted;
    private transient Counter rejected;

    /** A decoder producing frames of {@code networkWidth×networkHeight}. */
    public FrameDecoder(int networkWidth, int networkHeight) {
        if (networkWidth <= 0 || networkHeight <= 0) {
            throw new IllegalArgumentException("network size must be positive: " + networkWidth + "x" + networkHeight);
        }
        this.networkWidth = networkWidth;
        this.networkHeight = networkHeight;
    }

    @Override
    public void open(OpenContext openContext) {
        accepted = getRuntimeContext().getMetricGroup().counter(ACCEPTED_METRIC);
        rejected = getRuntimeContext().getMetricGroup().counter(REJECTED_METRIC);
    }

    @Override
    public void processElement(IncomingFrame incoming, Context context, Collector<Frame> out) {
        route(outcome(incoming), accepted, rejected, context, out);
    }

    /**
     * Emits a decoded frame to {@code out} or a rejected record to {@link #REJECTED}, counting each: what every
     * decoding stage does with its outcomes.
     */
    static void route(DecodeOutcome outcome, Counter accepted, Counter rejected, ProcessFunction<?, Frame>.Context context,
            Collector<Frame> out) {
        if (outcome.frame() != null) {
            accepted.inc();
            out.collect(outcome.frame());
        } else {
            rejected.inc();
            LOG.debug("Rejected frame record {}: {}", outcome.rejected().source(), outcome.rejected().reason());
            context.output(REJECTED, outcome.rejected());
        }
    }

    /**
     * The frame in {@code incoming} at network resolution, or the record rejected with its reason; never throws on
     * input data. Safe to call from several threads at once.
     */
    public DecodeOutcome outcome(IncomingFrame incoming) {
        try {
            return DecodeOutcome.decoded(decode(incoming));
        } catch (InvalidFrameException e) {
            return DecodeOutcome.rejected(RejectedRecord.of(incoming, e.getMessage()));
        } catch (RuntimeException e) {
            // Image codecs can fail in ways their contracts do not declare; the record is still only bad input.
            return DecodeOutcome.rejected(RejectedRecord.of(incoming, "could not decode frame: " + e));
        }
    }

    /**
     * The frame in {@code incoming} at network resolution.
     *
     * @throws InvalidFrameException when the record is invalid, with the reason
     */
    public Frame decode(IncomingFrame incoming) throws InvalidFrameException {
        String cameraId = cameraId(incoming.key());
        long seq = seq(incoming);
        if (incoming.timestampMs() < 0) {
            throw new InvalidFrameException("record has no timestamp (the capture time)");
        }

        long decodeStart = System.nanoTime();
        // 8-bit RGB(A) PNGs, what cameras and KITTI send, skip ImageIO, which needs about twice as long.
        RgbImage image = EncodedImageReader.readRgbPng(incoming.value(), "image");
        if (image == null) {
            EncodedImageReader.Decoded decoded = EncodedImageReader.read(incoming.value(), "image");
            BufferedImage buffered = decoded.image();
            int channels = buffered.getColorModel().getNumColorComponents();
            if (channels != 3) {
                throw new InvalidFrameException("image has " + channels + " colour channel(s); frames must be RGB (3)");
            }
            image = RgbImage.fromBufferedImage(buffered);
        }
        int width = image.width();
        int height = image.height();
        byte[] intrinsicsHeader = null;
        if (incoming.hasHeader(WireFormat.INTRINSICS)) {
            // A header present without a value is malformed, not absent: it must not silently become the default.
            byte[] value = incoming.lastHeader(WireFormat.INTRINSICS);
            intrinsicsHeader = value == null ? new byte[0] : value;
        }
        Intrinsics intrinsics = IntrinsicsHeader.parse(intrinsicsHeader, width, height);
        byte[] semantic = null;
        if (incoming.hasHeader(WireFormat.SEMANTIC)) {
            semantic = SemanticMap.decode(incoming.lastHeader(WireFormat.SEMANTIC), width, height);
        }
        long decodeNanos = System.nanoTime() - decodeStart;

        long resizeStart = System.nanoTime();
        RgbImage resized = ImageResizer.resize(image, networkWidth, networkHeight);
        Intrinsics rescaled = intrinsics.rescaled(width, height, networkWidth, networkHeight);
        byte[] resizedSemantic = semantic == null ? null
                : SemanticMap.resizeNearest(semantic, width, height, networkWidth, networkHeight);
        long resizeNanos = System.nanoTime() - resizeStart;

        return new Frame(cameraId, seq, incoming.timestampMs(), incoming.receivedAtMs(), rescaled, resized,
                resizedSemantic, decodeNanos, resizeNanos);
    }

    private static String cameraId(byte[] key) throws InvalidFrameException {
        if (key == null || key.length == 0) {
            throw new InvalidFrameException("record has no key (the camera id)");
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(key))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new InvalidFrameException("record key is not UTF-8 text (" + key.length + " bytes)");
        }
    }

    private static long seq(IncomingFrame incoming) throws InvalidFrameException {
        if (!incoming.hasHeader(WireFormat.SEQ)) {
            throw new InvalidFrameException("missing " + WireFormat.SEQ + " header");
        }
        String text = IncomingFrame.text(incoming.lastHeader(WireFormat.SEQ)).strip();
        // ASCII digits only: Long.parseLong also takes other scripts' digits and a leading '+'
        if (text.isEmpty() || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            boolean negative = text.length() > 1 && text.charAt(0) == '-'
                    && text.substring(1).chars().allMatch(c -> c >= '0' && c <= '9');
            if (negative) {
                throw new InvalidFrameException(WireFormat.SEQ + " must not be negative: " + IncomingFrame.printable(text, 40));
            }
            throw new InvalidFrameException(WireFormat.SEQ + " is not a decimal integer: \"" + IncomingFrame.printable(text, 40) + "\"");
        }
        long seq;
        try {
            seq = Long.parseLong(text);
        } catch (NumberFormatException e) {
            seq = Long.MAX_VALUE;
        }
        if (seq > MAX_SEQ) {
            throw new InvalidFrameException(WireFormat.SEQ + " is out of range (at most " + MAX_SEQ + "): "
                    + IncomingFrame.printable(text, 40));
        }
        return seq;
    }
}
