package io.depthstream.model.io;

import java.math.BigInteger;
import java.io.ByteArrayOutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A minimal unpickler for the opcodes {@code torch.save} writes for a state dict. Python values become Java ones:
 * int → {@link Long} (or {@link BigInteger} when it does not fit), float → {@link Double}, bool → {@link Boolean},
 * str → {@link String}, None → {@code null}, list → mutable {@link List}, tuple → unmodifiable {@link List},
 * dict → {@link LinkedHashMap}. Globals, calls, BUILD and persistent ids go to {@link PickleHooks}; any other
 * opcode is refused, so reading a file never constructs anything the hooks did not allow.
 */
final class Unpickler {

    private static final int HIGHEST_PROTOCOL = 5;

    private final ByteBuffer in;
    private final String source;
    private final PickleHooks hooks;
    private final List<Object> stack = new ArrayList<>();
    private final List<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();

    private Unpickler(ByteBuffer in, String source, PickleHooks hooks) {
        this.in = in.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        this.source = source;
        this.hooks = hooks;
    }

    /**
     * Reads one pickle starting at {@code in}'s position and leaves the position just past its STOP, which is how
     * the legacy format's consecutive pickles are read; {@code source} names the file in error messages.
     */
    static Object load(ByteBuffer in, String source, PickleHooks hooks) {
        Unpickler unpickler = new Unpickler(in, source, hooks);
        Object result;
        try {
            result = unpickler.run();
        } catch (BufferUnderflowException e) {
            throw unpickler.fail("pickle is truncated");
        } catch (StackOverflowError e) {
            // hashing or printing a container that holds itself, which only a crafted pickle builds
            throw unpickler.fail("pickle nests too deeply or holds a container inside itself");
        }
        in.position(unpickler.in.position());
        return result;
    }

    private Object run() {
        while (true) {
            int position = in.position();
            if (!in.hasRemaining()) {
                throw fail("pickle ends without STOP at byte " + position);
            }
            int code = Byte.toUnsignedInt(in.get());
            PickleOpcode opcode = PickleOpcode.of(code);
            if (opcode == null) {
                throw fail(String.format("byte 0x%02x at offset %d is not a pickle opcode", code, position));
            }
            switch (opcode) {
                case PROTO -> {
                    int protocol = Byte.toUnsignedInt(in.get());
                    if (protocol > HIGHEST_PROTOCOL) {
                        throw fail("pickle protocol " + protocol + " is newer than " + HIGHEST_PROTOCOL);
                    }
                }
                // framing only groups bytes for buffered reading; the opcodes inside read the same
                case FRAME -> in.getLong();
                case STOP -> {
                    return pop();
                }
                case MARK -> marks.add(stack.size());
                case EMPTY_DICT -> stack.add(new LinkedHashMap<>());
                case EMPTY_LIST -> stack.add(new ArrayList<>());
                case EMPTY_TUPLE -> stack.add(tuple(List.of()));
                case NONE -> stack.add(null);
                case NEWTRUE -> stack.add(Boolean.TRUE);
                case NEWFALSE -> stack.add(Boolean.FALSE);
                case BININT -> stack.add((long) in.getInt());
                case BININT1 -> stack.add((long) Byte.toUnsignedInt(in.get()));
                case BININT2 -> stack.add((long) Short.toUnsignedInt(in.getShort()));
                case LONG1 -> stack.add(littleEndianInteger(Byte.toUnsignedInt(in.get())));
                case LONG4 -> stack.add(littleEndianInteger(length(in.getInt())));
                // the one big-endian field in the format
                case BINFLOAT -> stack.add(Double.longBitsToDouble(Long.reverseBytes(in.getLong())));
                case BINUNICODE -> stack.add(utf8(length(in.getInt())));
                case SHORT_BINUNICODE -> stack.add(utf8(Byte.toUnsignedInt(in.get())));
                case BINUNICODE8 -> stack.add(utf8(length(in.getLong())));
                case TUPLE -> stack.add(tuple(popToMark()));
                case TUPLE1 -> stack.add(tuple(popN(1)));
                case TUPLE2 -> stack.add(tuple(popN(2)));
                case TUPLE3 -> stack.add(tuple(popN(3)));
                case APPEND -> {
                    Object item = pop();
                    list(peek(), opcode).add(item);
                }
                case APPENDS -> {
                    List<Object> items = popToMark();
                    list(peek(), opcode).addAll(items);
                }
                case SETITEM -> {
                    Object value = pop();
                    Object key = pop();
                    dict(peek(), opcode).put(key, value);
                }
                case SETITEMS -> {
                    List<Object> items = popToMark();
                    if (items.size() % 2 != 0) {
                        throw fail("SETITEMS at byte " + position + " has an odd number of items");
                    }
                    Map<Object, Object> dict = dict(peek(), opcode);
                    for (int i = 0; i < items.size(); i += 2) {
                        dict.put(items.get(i), items.get(i + 1));
                    }
                }
                case BINPUT -> memo.put((long) Byte.toUnsignedInt(in.get()), peek());
                case LONG_BINPUT -> memo.put(Integer.toUnsignedLong(in.getInt()), peek());
                case MEMOIZE -> memo.put((long) memo.size(), peek());
                case BINGET -> stack.add(memoGet(Byte.toUnsignedInt(in.get())));
                case LONG_BINGET -> stack.add(memoGet(Integer.toUnsignedLong(in.getInt())));
                case GLOBAL -> {
                    String module = line();
                    String name = line();
                    stack.add(hooks.global(module, name));
                }
                case STACK_GLOBAL -> {
                    Object name = pop();
                    Object module = pop();
                    if (!(module instanceof String m) || !(name instanceof String n)) {
                        throw fail("STACK_GLOBAL at byte " + position + " needs two strings");
                    }
                    stack.add(hooks.global(m, n));
                }
                case REDUCE -> {
                    Object args = pop();
                    Object callable = pop();
                    if (!(args instanceof List<?>)) {
                        throw fail("REDUCE at byte " + position + " has no argument tuple");
                    }
                    @SuppressWarnings("unchecked")
                    List<Object> arguments = (List<Object>) args;
                    stack.add(hooks.call(callable, arguments));
                }
                case BUILD -> {
                    Object state = pop();
                    Object object = pop();
                    stack.add(hooks.build(object, state));
                }
                case BINPERSID -> stack.add(hooks.persistentLoad(pop()));
                default -> throw fail("pickle opcode " + opcode + " at byte " + position
                        + " is not supported: a state dict saved by torch.save never needs it");
            }
        }
    }

    private Object pop() {
        if (stack.isEmpty() || (!marks.isEmpty() && marks.get(marks.size() - 1) == stack.size())) {
            throw fail("pickle stack underflow at byte " + in.position());
        }
        return stack.remove(stack.size() - 1);
    }

    private Object peek() {
        if (stack.isEmpty()) {
            throw fail("pickle stack underflow at byte " + in.position());
        }
        return stack.get(stack.size() - 1);
    }

    private List<Object> popN(int count) {
        if (stack.size() < count) {
            throw fail("pickle stack underflow at byte " + in.position());
        }
        List<Object> top = stack.subList(stack.size() - count, stack.size());
        List<Object> items = new ArrayList<>(top);
        top.clear();
        return items;
    }

    private List<Object> popToMark() {
        if (marks.isEmpty()) {
            throw fail("pickle has no MARK before byte " + in.position());
        }
        int mark = marks.remove(marks.size() - 1);
        return popN(stack.size() - mark);
    }

    private Object memoGet(long index) {
        if (!memo.containsKey(index)) {
            throw fail("pickle reads memo slot " + index + " that was never written");
        }
        return memo.get(index);
    }

    private static List<Object> tuple(List<Object> items) {
        return Collections.unmodifiableList(new ArrayList<>(items));
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object target, PickleOpcode opcode) {
        // a tuple is unmodifiable, so only lists made by EMPTY_LIST qualify
        if (target instanceof ArrayList<?> list) {
            return (List<Object>) list;
        }
        throw fail(opcode + " applies to a " + describe(target) + ", not a list");
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dict(Object target, PickleOpcode opcode) {
        if (target instanceof LinkedHashMap<?, ?> map) {
            return (Map<Object, Object>) map;
        }
        throw fail(opcode + " applies to a " + describe(target) + ", not a dict");
    }

    private int length(long length) {
        if (length < 0 || length > in.remaining()) {
            throw fail("pickle is truncated: it declares " + length + " bytes at byte " + in.position() + " but only "
                    + in.remaining() + " remain");
        }
        return (int) length;
    }

    private Object littleEndianInteger(int size) {
        byte[] bytes = new byte[length(size)];
        in.get(bytes);
        if (size == 0) {
            return 0L;
        }
        byte[] bigEndian = new byte[size];
        for (int i = 0; i < size; i++) {
            bigEndian[i] = bytes[size - 1 - i];
        }
        BigInteger value = new BigInteger(bigEndian);
        return value.bitLength() < Long.SIZE ? (Object) value.longValue() : value;
    }

    private String utf8(int size) {
        byte[] bytes = new byte[length(size)];
        in.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private String line() {
        int start = in.position();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        while (in.hasRemaining()) {
            byte b = in.get();
            if (b == '\n') {
                return bytes.toString(StandardCharsets.UTF_8);
            }
            bytes.write(b);
        }
        throw fail("GLOBAL at byte " + (start - 1) + " has no newline");
    }

    private TorchCheckpointException fail(String problem) {
        return new TorchCheckpointException(source + ": " + problem);
    }

    static String describe(Object value) {
        return value == null ? "None" : value.getClass().getSimpleName();
    }
}
