package io.depthstream.model.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Checks the reader against checkpoints written by torch.save itself (see golden/checkpoint/generate.py). */
class TorchCheckpointTest {

    static Path golden(String name) throws Exception {
        return Paths.get(TorchCheckpointTest.class.getResource("/golden/checkpoint/" + name).toURI());
    }

    static JsonNode expected() throws Exception {
        return new ObjectMapper().readTree(golden("expected.json").toFile());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ckpt_zip.pth", "ckpt_legacy.pth", "ckpt_zip_protocol4.pth", "ckpt_zip_bigendian.pth",
            "ckpt_legacy_cuda.pth"})
    void everyTensorMatchesTorch(String file) throws Exception {
        TorchCheckpoint checkpoint = TorchCheckpoint.read(golden(file));
        JsonNode tensors = expected().get("tensors");

        List<String> names = new ArrayList<>();
        tensors.fieldNames().forEachRemaining(names::add);
        assertThat(checkpoint.tensors().keySet()).containsExactlyElementsOf(names);
        for (String name : names) {
            JsonNode want = tensors.get(name);
            TorchTensor tensor = checkpoint.tensor(name);
            assertThat(tensor.dtype()).as(name).isEqualTo(TorchDtype.valueOf(want.get("dtype").asText().toUpperCase()));
            assertThat(tensor.shape()).as(name).containsExactly(longs(want.get("shape")));
            assertThat(tensor.strides()).as(name).containsExactly(longs(want.get("strides")));
            assertThat(tensor.storageOffset()).as(name).isEqualTo(want.get("offset").asLong());
            if (tensor.dtype().floating()) {
                assertThat(tensor.longs()).as(name).isNull();
                assertThat(tensor.floats()).as(name).containsExactly(floats(want.get("values")));
            } else {
                assertThat(tensor.floats()).as(name).isNull();
                assertThat(tensor.longs()).as(name).containsExactly(longs(want.get("values")));
            }
        }
    }

    @Test
    void viewsAreGatheredThroughOffsetAndStrides() throws Exception {
        TorchCheckpoint checkpoint = TorchCheckpoint.read(golden("ckpt_zip.pth"));

        // base = arange(60).reshape(5, 12) / 8 - 3; slice = base[1:4, 2:11:3]
        TorchTensor slice = checkpoint.tensor("views.slice");
        assertThat(slice.storageOffset()).isEqualTo(14);
        assertThat(slice.strides()).containsExactly(12, 3);
        float[] want = new float[9];
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 3; c++) {
                want[r * 3 + c] = ((1 + r) * 12 + 2 + 3 * c) / 8f - 3;
            }
        }
        assertThat(slice.floats()).containsExactly(want);
        assertThat(checkpoint.tensor("encoder.bn1.num_batches_tracked").shape()).isEmpty();
        assertThat(checkpoint.tensor("encoder.bn1.num_batches_tracked").longs()).containsExactly(7);
        assertThat(checkpoint.tensor("empty").shape()).containsExactly(0, 3);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ckpt_zip.pth", "ckpt_legacy.pth", "ckpt_zip_protocol4.pth"})
    void plainEntriesAreValues(String file) throws Exception {
        TorchCheckpoint checkpoint = TorchCheckpoint.read(golden(file));

        assertThat(checkpoint.values()).containsExactly(
                Map.entry("height", 192L), Map.entry("width", 640L), Map.entry("use_stereo", false),
                Map.entry("offset", -70000L), Map.entry("scale", 0.125), Map.entry("frame_ids", List.of(0L, -1L, 1L)),
                Map.entry("name", "resnet18"));
    }

    @Test
    void halfPrecisionCoversSubnormalsAndSpecials() {
        assertThat(TorchDtype.halfToFloat((short) 0x3c00)).isEqualTo(1f);
        assertThat(TorchDtype.halfToFloat((short) 0xc000)).isEqualTo(-2f);
        assertThat(TorchDtype.halfToFloat((short) 0x0001)).isEqualTo((float) Math.pow(2, -24));
        assertThat(TorchDtype.halfToFloat((short) 0x8000)).isEqualTo(-0f);
        assertThat(TorchDtype.halfToFloat((short) 0x7bff)).isEqualTo(65504f);
        assertThat(TorchDtype.halfToFloat((short) 0x7c00)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(TorchDtype.halfToFloat((short) 0x7e00)).isNaN();
    }

    @ParameterizedTest
    @ValueSource(strings = {"evil_zip.pth", "evil_legacy.pth"})
    void refusesAPickleThatCallsOsSystem(String file) throws Exception {
        Path path = golden(file);
        assertThatThrownBy(() -> TorchCheckpoint.read(path))
                .isInstanceOf(TorchCheckpointException.class)
                .hasMessageContaining(path.toString())
                .hasMessageContaining("global os.system is not allowed");
        assertThat(Paths.get("/tmp/depthstream-owned")).doesNotExist();
    }

    @Test
    void refusesUnsupportedOpcodesAndDtypes() throws Exception {
        Path inst = golden("inst_opcode_zip.pth");
        Path complex = golden("complex_zip.pth");

        assertThatThrownBy(() -> TorchCheckpoint.read(inst))
                .hasMessageContaining(inst.toString())
                .hasMessageContaining("opcode INST (0x69)");
        assertThatThrownBy(() -> TorchCheckpoint.read(complex))
                .hasMessageContaining(complex.toString())
                .hasMessageContaining("unsupported dtype: storage type torch.ComplexFloatStorage");
    }

    @Test
    void refusesATensorReachingPastItsStorage() throws Exception {
        Path file = golden("out_of_bounds_zip.pth");

        assertThatThrownBy(() -> TorchCheckpoint.read(file))
                .hasMessageContaining(file.toString())
                .hasMessageContaining("tensor w reaches elements 0..8 of storage 0, which holds 4");
    }

    @Test
    void refusesFilesThatAreNoCheckpoint(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("missing.pth");
        Path text = Files.writeString(dir.resolve("notes.pth"), "not a checkpoint at all");
        Path zip = dir.resolve("other.pth");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
            out.putNextEntry(new ZipEntry("readme.txt"));
            out.write("hello".getBytes());
        }

        assertThatThrownBy(() -> TorchCheckpoint.read(missing)).isInstanceOf(TorchCheckpointException.class)
                .hasMessage(missing + ": no such file");
        assertThatThrownBy(() -> TorchCheckpoint.read(text))
                .hasMessageStartingWith(text + ": not a PyTorch checkpoint");
        assertThatThrownBy(() -> TorchCheckpoint.read(zip))
                .hasMessage(zip + ": not a PyTorch checkpoint: the zip has no */data.pkl");
    }

    @Test
    void refusesTruncatedFiles(@TempDir Path dir) throws Exception {
        byte[] legacy = Files.readAllBytes(golden("ckpt_legacy.pth"));
        Path cutInPickle = Files.write(dir.resolve("pickle.pth"), Arrays.copyOf(legacy, 600));
        Path cutInStorages = Files.write(dir.resolve("storages.pth"), Arrays.copyOf(legacy, legacy.length - 10));
        byte[] zip = Files.readAllBytes(golden("ckpt_zip.pth"));
        Path cutZip = Files.write(dir.resolve("zip.pth"), Arrays.copyOf(zip, zip.length / 2));

        assertThatThrownBy(() -> TorchCheckpoint.read(cutInPickle))
                .hasMessageStartingWith(cutInPickle + ": pickle is truncated");
        assertThatThrownBy(() -> TorchCheckpoint.read(cutInStorages))
                .hasMessageStartingWith(cutInStorages + ": truncated");
        assertThatThrownBy(() -> TorchCheckpoint.read(cutZip)).isInstanceOf(TorchCheckpointException.class)
                .hasMessageStartingWith(cutZip + ": not a PyTorch checkpoint: broken zip");
    }

    @Test
    void refusesPicklesThatAreNoFlatStateDict(@TempDir Path dir) throws Exception {
        Path model = zipWithPickle(dir, "model", bytes(0x80, 2, "c__main__\nNet\n)R."));
        Path list = zipWithPickle(dir, "list", bytes(0x80, 2, "]."));
        // {'loop': l} where l = []; l.append(l)
        Path loop = zipWithPickle(dir, "loop", bytes(0x80, 2, "}X", 4, 0, 0, 0, "loop]q", 0, "h", 0, "as."));

        assertThatThrownBy(() -> TorchCheckpoint.read(model))
                .hasMessageContaining("global __main__.Net is not allowed").hasMessageContaining("state_dict()");
        assertThatThrownBy(() -> TorchCheckpoint.read(list)).hasMessage(list + ": holds a ArrayList, not a state dict");
        assertThatThrownBy(() -> TorchCheckpoint.read(loop))
                .hasMessage(loop + ": entry loop nests deeper than 64 levels or holds itself");
    }

    @Test
    void namesAMissingTensor() throws Exception {
        TorchCheckpoint checkpoint = TorchCheckpoint.read(golden("ckpt_zip.pth"));

        assertThatThrownBy(() -> checkpoint.tensor("decoder.0.conv.conv.weight"))
                .hasMessageContaining("has no tensor decoder.0.conv.conv.weight")
                .hasMessageContaining("encoder.conv1.weight");
    }

    private static Path zipWithPickle(Path dir, String name, byte[] pickle) throws Exception {
        Path file = dir.resolve(name + ".pth");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(file))) {
            out.putNextEntry(new ZipEntry(name + "/data.pkl"));
            out.write(pickle);
        }
        return file;
    }

    /** Pickle bytes from opcode bytes (ints) and ASCII text (strings). */
    private static byte[] bytes(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object part : parts) {
            if (part instanceof Integer b) {
                out.write(b);
            } else {
                out.writeBytes(((String) part).getBytes(StandardCharsets.US_ASCII));
            }
        }
        return out.toByteArray();
    }

    private static long[] longs(JsonNode array) {
        long[] values = new long[array.size()];
        Iterator<JsonNode> items = array.elements();
        for (int i = 0; i < values.length; i++) {
            values[i] = items.next().asLong();
        }
        return values;
    }

    private static float[] floats(JsonNode array) {
        float[] values = new float[array.size()];
        Iterator<JsonNode> items = array.elements();
        for (int i = 0; i < values.length; i++) {
            // float64 tensors are narrowed to float32, rounding to nearest as numpy's astype does
            values[i] = (float) items.next().asDouble();
        }
        return values;
    }
}
