package io.depthstream.model.io;

import java.nio.ByteBuffer;

/** The element types a PyTorch checkpoint's storages may hold, named by their pickled storage classes. */
public enum TorchDtype {
    FLOAT32("FloatStorage", 4, true),
    FLOAT64("DoubleStorage", 8, true),
    FLOAT16("HalfStorage", 2, true),
    BFLOAT16("BFloat16Storage", 2, true),
    INT64("LongStorage", 8, false),
    INT32("IntStorage", 4, false),
    INT16("ShortStorage", 2, false),
    INT8("CharStorage", 1, false),
    UINT8("ByteStorage", 1, false),
    BOOL("BoolStorage", 1, false);

    private final String storageClass;
    private final int elementSize;
    private final boolean floating;

    TorchDtype(String storageClass, int elementSize, boolean floating) {
        this.storageClass = storageClass;
        this.elementSize = elementSize;
        this.floating = floating;
    }

    /** The dtype of {@code torch.<storageClass>}, or {@code null} when depthstream does not read that type. */
    public static TorchDtype ofStorageClass(String storageClass) {
        for (TorchDtype dtype : values()) {
            if (dtype.storageClass.equals(storageClass)) {
                return dtype;
            }
        }
        return null;
    }

    /** The storage class's name in the {@code torch} module, such as {@code FloatStorage}. */
    public String storageClass() {
        return storageClass;
    }

    /** Bytes per element. */
    public int elementSize() {
        return elementSize;
    }

    /** Whether tensors of this type are read as {@code float[]} rather than {@code long[]}. */
    public boolean floating() {
        return floating;
    }

    double readFloating(ByteBuffer storage, int byteIndex) {
        return switch (this) {
            case FLOAT32 -> storage.getFloat(byteIndex);
            case FLOAT64 -> storage.getDouble(byteIndex);
            case FLOAT16 -> halfToFloat(storage.getShort(byteIndex));
            // bfloat16 is the upper half of a float32
            case BFLOAT16 -> Float.intBitsToFloat(Short.toUnsignedInt(storage.getShort(byteIndex)) << 16);
            default -> throw new IllegalStateException(this + " is not a floating type");
        };
    }

    long readIntegral(ByteBuffer storage, int byteIndex) {
        return switch (this) {
            case INT64 -> storage.getLong(byteIndex);
            case INT32 -> storage.getInt(byteIndex);
            case INT16 -> storage.getShort(byteIndex);
            case INT8 -> storage.get(byteIndex);
            case UINT8 -> Byte.toUnsignedInt(storage.get(byteIndex));
            case BOOL -> storage.get(byteIndex) != 0 ? 1 : 0;
            default -> throw new IllegalStateException(this + " is not an integral type");
        };
    }

    // Java 17 has no Float.float16ToFloat (added in 20)
    static float halfToFloat(short half) {
        int bits = Short.toUnsignedInt(half);
        int sign = (bits >>> 15) << 31;
        int exponent = (bits >>> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        if (exponent == 0) {
            float magnitude = Math.scalb((float) mantissa, -24);
            return sign == 0 ? magnitude : -magnitude;
        }
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        return Float.intBitsToFloat(sign | ((exponent - 15 + 127) << 23) | (mantissa << 13));
    }
}
