package io.depthstream.model.io;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The only things a state dict's pickle may construct: ordered dicts, tensors and parameters over persistent
 * storages, and storage type markers. Every other global is refused before anything is called, because a pickle
 * that names {@code os.system} would otherwise run it.
 */
final class StateDictHooks implements PickleHooks {

    private static final String ORDERED_DICT = "collections.OrderedDict";
    private static final String REBUILD_TENSOR = "torch._utils._rebuild_tensor_v2";
    private static final String REBUILD_PARAMETER = "torch._utils._rebuild_parameter";

    /** A global on the allow list, named {@code module.name}. */
    private record Allowed(String qualifiedName) {
    }

    private final String source;
    private final Map<String, StorageRef> storages = new LinkedHashMap<>();

    StateDictHooks(String source) {
        this.source = source;
    }

    /** The storages the pickle referred to, by key, in first-use order. */
    Map<String, StorageRef> storages() {
        return storages;
    }

    @Override
    public Object global(String module, String name) {
        String qualified = module + "." + name;
        switch (qualified) {
            case ORDERED_DICT, REBUILD_TENSOR, REBUILD_PARAMETER -> {
                return new Allowed(qualified);
            }
            default -> {
                // storages of tensors saved from a GPU were typed torch.cuda.*Storage; the data is the same
                if ((module.equals("torch") || module.equals("torch.cuda")) && name.endsWith("Storage")) {
                    TorchDtype dtype = TorchDtype.ofStorageClass(name);
                    if (dtype == null) {
                        throw fail("unsupported dtype: storage type " + qualified + " (readable: float32, float64, "
                                + "float16, bfloat16, int64, int32, int16, int8, uint8, bool)");
                    }
                    return dtype;
                }
                throw fail("global " + qualified + " is not allowed: a checkpoint may only hold tensors and plain "
                        + "values, and refusing other globals keeps an untrusted file from running code "
                        + "(if this is a whole pickled model, save its state_dict() instead)");
            }
        }
    }

    @Override
    public Object call(Object callable, List<Object> args) {
        if (!(callable instanceof Allowed allowed)) {
            throw fail("pickle calls a " + Unpickler.describe(callable) + ", which is not callable");
        }
        switch (allowed.qualifiedName()) {
            case ORDERED_DICT -> {
                if (!args.isEmpty()) {
                    throw fail(ORDERED_DICT + " called with " + args.size() + " arguments; expected none");
                }
                return new LinkedHashMap<>();
            }
            case REBUILD_TENSOR -> {
                // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
                if (args.size() < 4 || args.size() > 7 || !(args.get(0) instanceof StorageRef storage)) {
                    throw fail(REBUILD_TENSOR + " called with unexpected arguments " + describeAll(args));
                }
                return new TensorRef(storage, integer(args.get(1), "storage offset"),
                        integers(args.get(2), "size"), integers(args.get(3), "stride"));
            }
            case REBUILD_PARAMETER -> {
                // (data, requires_grad, backward_hooks): a parameter's values are its data tensor's
                if (args.isEmpty() || !(args.get(0) instanceof TensorRef tensor)) {
                    throw fail(REBUILD_PARAMETER + " called with unexpected arguments " + describeAll(args));
                }
                return tensor;
            }
            default -> throw new IllegalStateException("allowed global without a call: " + allowed);
        }
    }

    @Override
    public Object build(Object object, Object state) {
        // an OrderedDict's state is its instance __dict__: a state dict's _metadata (module versions), not values
        if (object instanceof LinkedHashMap<?, ?> && (state == null || state instanceof Map<?, ?>)) {
            return object;
        }
        throw fail("pickle sets the state of a " + Unpickler.describe(object) + "; only ordered dicts have state "
                + "in a state dict");
    }

    @Override
    public Object persistentLoad(Object persistentId) {
        // zip: ('storage', type, key, location, numel); legacy adds view_metadata: None or (view_key, offset, size)
        if (!(persistentId instanceof List<?> id) || id.size() < 5 || id.size() > 6 || !"storage".equals(id.get(0))
                || !(id.get(1) instanceof TorchDtype dtype) || !(id.get(2) instanceof String key)) {
            throw fail("unexpected persistent id " + persistentId + "; expected ('storage', type, key, location, "
                    + "numel)");
        }
        long numel = integer(id.get(4), "storage size");
        long viewOffset = 0;
        if (id.size() == 6 && id.get(5) != null) {
            if (!(id.get(5) instanceof List<?> view) || view.size() != 3) {
                throw fail("unexpected storage view " + id.get(5));
            }
            viewOffset = integer(view.get(1), "storage view offset");
        }
        StorageRef storage = new StorageRef(key, dtype, numel, viewOffset);
        StorageRef known = storages.putIfAbsent(key, new StorageRef(key, dtype, numel, 0));
        if (known != null && (known.dtype() != dtype || known.numel() != numel)) {
            throw fail("storage " + key + " is declared both as " + known.numel() + " " + known.dtype()
                    + " and as " + numel + " " + dtype);
        }
        return storage;
    }

    private long integer(Object value, String what) {
        if (value instanceof Long number) {
            return number;
        }
        throw fail(what + " should be an int, is " + value);
    }

    private long[] integers(Object value, String what) {
        if (!(value instanceof List<?> items)) {
            throw fail(what + " should be a tuple of ints, is " + value);
        }
        long[] result = new long[items.size()];
        for (int i = 0; i < result.length; i++) {
            result[i] = integer(items.get(i), what);
        }
        return result;
    }

    private static String describeAll(List<Object> args) {
        return args.stream().map(Unpickler::describe).toList().toString();
    }

    private TorchCheckpointException fail(String problem) {
        return new TorchCheckpointException(source + ": " + problem);
    }
}
