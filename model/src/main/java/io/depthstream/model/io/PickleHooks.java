package io.depthstream.model.io;

import java.util.List;

/**
 * What an {@link Unpickler} delegates to its caller: every way a pickle can reach beyond plain data. A checkpoint is
 * untrusted input, so implementations decide what to allow and refuse everything else by throwing.
 */
interface PickleHooks {

    /** The object a GLOBAL or STACK_GLOBAL opcode names. */
    Object global(String module, String name);

    /** The result of REDUCE: {@code callable(*args)}. */
    Object call(Object callable, List<Object> args);

    /** The result of BUILD: {@code object} given {@code state}. */
    Object build(Object object, Object state);

    /** The object a BINPERSID opcode's persistent id stands for. */
    Object persistentLoad(Object persistentId);
}
