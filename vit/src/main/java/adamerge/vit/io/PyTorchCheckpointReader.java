package adamerge.vit.io;

import adamerge.tensor.DType;
import adamerge.tensor.Storage;
import adamerge.tensor.Tensor;
import adamerge.tensor.cpu.HeapStorage;
import adamerge.tensor.cpu.MappedStorage;
import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.Opcodes;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.PickleUtils;
import net.razorvine.pickle.Unpickler;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads PyTorch checkpoints ({@code .pt}, {@code .bin}) without Python: {@code torch.save} zip
 * archives, legacy (pre-1.6) torch.save files, and plain {@code pickle.dump} files of tensors or
 * modules (whose storages are legacy streams inside {@code torch.storage._load_from_bytes}).
 *
 * <pre>
 *   PREFIX/data.pkl      pickle of the saved object; each storage is a persistent id
 *                        ('storage', torch.FloatStorage, key, location, numel)
 *   PREFIX/data/KEY      the storage's raw little-endian bytes (STORED, 64-byte aligned)
 *   PREFIX/byteorder     "little" (absent in old archives, which are little-endian)
 * </pre>
 *
 * The pickle may hold a state dict (possibly nested, e.g. {"state_dict": {...}}) or a whole
 * nn.Module such as task_vectors' {@code finetuned.pt}. No Python code is run: classes the reader
 * does not know become {@link PyObject} placeholders that record their constructor arguments and
 * state, and modules are walked through {@code _parameters}, {@code _buffers} and {@code _modules}
 * the way {@code module.state_dict()} names them ({@code model.visual.conv1.weight}).
 */
public final class PyTorchCheckpointReader {
    private PyTorchCheckpointReader() {
    }

    /** An instance of a class the reader does not model: its constructor arguments and pickled state. */
    public static final class PyObject {
        public final String className;
        public final List<Object> args;
        public Object state;

        PyObject(String className, Object[] args) {
            this.className = className;
            this.args = List.of(args == null ? new Object[0] : Arrays.stream(args).map(a -> a == null ? "None" : a).toArray());
        }

        /** The instance dict (BUILD's state, or the dict half of a (dict, slots) pair); empty if none. */
        @SuppressWarnings("unchecked")
        public Map<Object, Object> dict() {
            if (state instanceof Map<?, ?> m) return (Map<Object, Object>) m;
            return Map.of();
        }

        boolean isModule() {
            return dict().get("_parameters") instanceof Map && dict().get("_modules") instanceof Map;
        }

        @Override
        public String toString() {
            return className + args;
        }
    }

    /** A global such as torch.FloatStorage, as it appears inside a persistent id. */
    private record StorageType(String name) implements IObjectConstructor {
        @Override
        public Object construct(Object[] args) {
            throw new PickleException("torch." + name + " cannot be called while unpickling");
        }
    }

    /** A storage named by a persistent id; a legacy view starts {@code viewOffset} elements into its root. */
    private record StorageRef(StorageType type, String key, long numel, long viewOffset) {
    }

    /** A storage unpickled in place by torch.storage._load_from_bytes (null data for non-float types). */
    private record LoadedStorage(StorageType type, Storage data, long viewOffset) {
    }

    private record TensorRef(Object storage, long offset, long[] size, long[] stride) {
        StorageType type() {
            return storage instanceof StorageRef r ? r.type : ((LoadedStorage) storage).type;
        }
    }

    /** Root object of a legacy stream and its storages' bytes by key. */
    private record Legacy(Object root, Map<String, MemorySegment> data) {
    }

    /**
     * Every float tensor (float32, float16, bfloat16; float64 copied to float32) in state_dict
     * order, from a torch.save zip, a legacy torch.save file or a plain pickle of tensors. Zip and
     * legacy storages are read in place: the file stays mapped while any returned tensor is reachable.
     */
    public static Map<String, Tensor> read(Path file) throws IOException {
        return read(file, Arena.ofAuto());
    }

    /** As {@link #read(Path)}, mapping the file in {@code arena}; the tensors die with it. */
    public static Map<String, Tensor> read(Path file, Arena arena) throws IOException {
        MemorySegment seg;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (ch.size() < 4) throw new IOException(file + ": " + ch.size() + " bytes is too short for a PyTorch checkpoint (truncated?)");
            seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
        }
        try {
            return switch (CheckpointFormat.detect(seg)) {
                case TORCH_ZIP -> readZip(file, seg);
                case TORCH_LEGACY -> {
                    Legacy l = loadLegacy(file, seg);
                    yield collect(file, l.root, l.data::get);
                }
                case PICKLE -> collect(file, new TorchUnpickler(file).load(new SegmentStream(seg)), key -> null);
                default -> throw new IOException(file + ": not a PyTorch checkpoint (neither a torch.save zip archive nor a pickle)");
            };
        } catch (PickleException | ClassCastException | IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new IOException(file + ": cannot unpickle: " + e.getMessage(), e);
        }
    }

    private static Map<String, Tensor> readZip(Path file, MemorySegment zip) throws IOException {
        Map<String, MemorySegment> entries = StoredZip.entries(file, zip);
        String pkl = null;
        for (String name : entries.keySet())
            if (name.equals("data.pkl") || name.endsWith("/data.pkl")) {
                pkl = name;
                break;
            }
        if (pkl == null) throw new IOException(file + ": zip archive has no data.pkl: not a torch.save checkpoint");
        String prefix = pkl.substring(0, pkl.length() - "data.pkl".length());
        MemorySegment order = entries.get(prefix + "byteorder");
        if (order != null) {
            String bo = new String(order.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII).trim();
            if (!bo.equals("little"))
                throw new IOException(file + ": storages are " + bo + "-endian; only little-endian checkpoints are supported");
        }
        Object root = new TorchUnpickler(file).loads(entries.get(pkl).toArray(ValueLayout.JAVA_BYTE));
        return collect(file, root, key -> entries.get(prefix + "data/" + key));
    }

    /**
     * torch.save before 1.6 (and the bytes inside plain pickles' storages): five pickles, then the
     * raw storages in the order of the key list, each as an int64 element count and its bytes.
     * <pre>
     *   magic 0x1950a86a20f9469cfc6c | protocol 1001 | sys_info | object | [keys] | (numel, bytes)*
     * </pre>
     */
    private static Legacy loadLegacy(Path file, MemorySegment seg) throws IOException {
        SegmentStream in = new SegmentStream(seg);
        Object magic = new TorchUnpickler(file).load(in);
        if (!(magic instanceof Number n) || !n.toString().equals("119547037146038801333356"))
            throw new IOException(file + ": not a legacy torch.save stream (bad magic number " + magic + ")");
        Object protocol = new TorchUnpickler(file).load(in);
        if (!(protocol instanceof Number p) || p.intValue() != 1001)
            throw new IOException(file + ": unsupported legacy torch.save protocol " + protocol);
        if (new TorchUnpickler(file).load(in) instanceof Map<?, ?> sys && Boolean.FALSE.equals(sys.get("little_endian")))
            throw new IOException(file + ": storages are big-endian; only little-endian checkpoints are supported");
        TorchUnpickler u = new TorchUnpickler(file);
        Object root = u.load(in);
        Map<String, MemorySegment> data = new HashMap<>();
        for (Object k : (List<?>) new TorchUnpickler(file).load(in)) {
            String key = String.valueOf(k);
            StorageType type = u.storageTypes.get(key);
            int item = type == null ? -1 : elementBytes(type.name);
            if (item < 0) throw new IOException(file + ": storage " + key + " has unknown type " + type);
            if (in.remaining() < 8) throw new IOException(file + ": storage " + key + " is missing: the file is truncated");
            long bytes = Math.multiplyExact(seg.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), in.pos), (long) item);
            in.pos += 8;
            if (bytes < 0 || bytes > in.remaining())
                throw new IOException(file + ": storage " + key + " needs " + bytes + " bytes but " + in.remaining() + " are left: the file is truncated");
            data.put(key, seg.asSlice(in.pos, bytes));
            in.pos += bytes;
        }
        return new Legacy(root, data);
    }

    private static int elementBytes(String storageType) {
        return switch (storageType) {
            case "DoubleStorage", "LongStorage", "ComplexFloatStorage" -> 8;
            case "ComplexDoubleStorage" -> 16;
            case "FloatStorage", "IntStorage", "QInt32Storage" -> 4;
            case "HalfStorage", "BFloat16Storage", "ShortStorage" -> 2;
            case "CharStorage", "ByteStorage", "BoolStorage", "QInt8Storage", "QUInt8Storage" -> 1;
            default -> -1;
        };
    }

    private static Map<String, Tensor> collect(Path file, Object root, Function<String, MemorySegment> data) throws IOException {
        Map<String, Storage> storages = new HashMap<>();
        Map<String, Tensor> out = new LinkedHashMap<>();
        new Walker(file, ref -> {
            Storage s = storages.get(ref.key);
            if (s == null) {
                MemorySegment bytes = data.apply(ref.key);
                if (bytes == null) throw new IOException(file + ": storage " + ref.key + " is missing from the file");
                s = storage(file, ref.key, ref, bytes);
                storages.put(ref.key, s);
            }
            return s;
        }, out).collect(unwrap(root), "", Collections.newSetFromMap(new IdentityHashMap<>()));
        return out;
    }

    private static Storage storage(Path file, String key, StorageRef ref, MemorySegment data) throws IOException {
        DType dtype = switch (ref.type.name) {
            case "FloatStorage" -> DType.F32;
            case "HalfStorage" -> DType.F16;
            case "BFloat16Storage" -> DType.BF16;
            case "DoubleStorage" -> null;
            default -> throw new IllegalStateException("not a float storage: " + ref.type.name);
        };
        long itemBytes = dtype == null ? 8 : dtype.bytes;
        if (ref.numel * itemBytes > data.byteSize())
            throw new IOException(file + ": storage " + key + " should hold " + ref.numel + " " + ref.type.name
                    + " elements but has " + data.byteSize() + " bytes (truncated?)");
        if (ref.numel > Integer.MAX_VALUE) throw new IOException(file + ": storage " + key + " has more than 2^31-1 elements");
        MemorySegment bytes = data.asSlice(0, ref.numel * itemBytes);
        if (dtype != null) return new MappedStorage(bytes, dtype);
        float[] a = new float[(int) ref.numel];
        for (int i = 0; i < a.length; i++)
            a[i] = (float) bytes.getAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i);
        return new HeapStorage(a);
    }

    /** A pickle source over a memory segment that tells where each pickle ended. */
    private static final class SegmentStream extends InputStream {
        private final MemorySegment seg;
        long pos;

        SegmentStream(MemorySegment seg) {
            this.seg = seg;
        }

        long remaining() {
            return seg.byteSize() - pos;
        }

        @Override
        public int read() {
            return pos < seg.byteSize() ? Byte.toUnsignedInt(seg.get(ValueLayout.JAVA_BYTE, pos++)) : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) return 0;
            int n = (int) Math.min(len, remaining());
            if (n <= 0) return -1;
            MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, pos, b, off, n);
            pos += n;
            return n;
        }
    }

    /** A top-level dict holding only a "state_dict" (plus counters and such) is read as that dict. */
    private static Object unwrap(Object root) {
        if (root instanceof Map<?, ?> m && !m.values().stream().anyMatch(v -> v instanceof TensorRef))
            for (String k : List.of("state_dict", "model_state_dict"))
                if (m.get(k) instanceof Map<?, ?> || m.get(k) instanceof PyObject) return m.get(k);
        return root;
    }

    private interface StorageSource {
        Storage get(StorageRef ref) throws IOException;
    }

    /** Collects tensors under the names state_dict() would give them. */
    private record Walker(Path file, StorageSource storages, Map<String, Tensor> out) {
        void collect(Object o, String name, Set<Object> path) throws IOException {
            switch (o) {
                case TensorRef t -> {
                    if (isFloat(t.type().name)) out.put(name.isEmpty() ? "tensor" : name, tensor(name, t));
                }
                case PyObject p when p.isModule() -> {
                    if (!path.add(p)) return;
                    Map<Object, Object> d = p.dict();
                    Collection<?> nonPersistent = d.get("_non_persistent_buffers_set") instanceof Collection<?> c ? c : List.of();
                    for (var e : ((Map<?, ?>) d.get("_parameters")).entrySet())
                        if (e.getValue() != null) collect(e.getValue(), join(name, e.getKey()), path);
                    if (d.get("_buffers") instanceof Map<?, ?> buffers)
                        for (var e : buffers.entrySet())
                            if (e.getValue() != null && !nonPersistent.contains(e.getKey())) collect(e.getValue(), join(name, e.getKey()), path);
                    for (var e : ((Map<?, ?>) d.get("_modules")).entrySet())
                        if (e.getValue() != null) collect(e.getValue(), join(name, e.getKey()), path);
                    path.remove(p);
                }
                case PyObject p -> {
                    if (!path.add(p)) return;
                    for (var e : p.dict().entrySet()) collect(e.getValue(), join(name, e.getKey()), path);
                    path.remove(p);
                }
                case Map<?, ?> m -> {
                    if (!path.add(m)) return;
                    for (var e : m.entrySet()) collect(e.getValue(), join(name, e.getKey()), path);
                    path.remove(m);
                }
                case List<?> l -> {
                    if (!path.add(l)) return;
                    for (int i = 0; i < l.size(); i++) collect(l.get(i), join(name, i), path);
                    path.remove(l);
                }
                case Object[] a -> {
                    for (int i = 0; i < a.length; i++) collect(a[i], join(name, i), path);
                }
                case null, default -> {
                }
            }
        }

        private Tensor tensor(String name, TensorRef t) throws IOException {
            Storage s;
            long offset = t.offset;
            if (t.storage instanceof StorageRef r) {
                s = storages.get(r);
                offset += r.viewOffset;
            } else {
                s = ((LoadedStorage) t.storage).data;
                offset += ((LoadedStorage) t.storage).viewOffset;
            }
            int[] shape = new int[t.size.length], strides = new int[t.size.length];
            long last = offset; // highest element index the view touches
            boolean empty = false;
            for (int i = 0; i < shape.length; i++) {
                if (t.size[i] < 0 || t.size[i] > Integer.MAX_VALUE || t.stride[i] < 0 || t.stride[i] > Integer.MAX_VALUE)
                    throw new IOException(file + ": tensor " + name + " has an unsupported size " + Arrays.toString(t.size) + " / stride " + Arrays.toString(t.stride));
                shape[i] = (int) t.size[i];
                strides[i] = (int) t.stride[i];
                empty |= shape[i] == 0;
                if (shape[i] > 0) last += (shape[i] - 1) * t.stride[i];
            }
            if (!empty && (offset < 0 || last >= s.size()))
                throw new IOException(file + ": tensor " + name + " (offset " + offset + ", size " + Arrays.toString(t.size)
                        + ", stride " + Arrays.toString(t.stride) + ") reaches past its storage of " + s.size() + " elements");
            return new Tensor(s, shape, strides, empty ? 0 : (int) offset);
        }

        private static String join(String prefix, Object key) {
            return prefix.isEmpty() ? String.valueOf(key) : prefix + "." + key;
        }
    }

    private static boolean isFloat(String storageType) {
        return switch (storageType) {
            case "FloatStorage", "HalfStorage", "BFloat16Storage", "DoubleStorage" -> true;
            default -> false;
        };
    }

    private static long toLong(Object o) {
        if (o instanceof Number n) return n.longValue();
        throw new IllegalArgumentException("expected an integer, got " + o);
    }

    private static long[] longs(Object o) {
        Object[] a = o instanceof Object[] arr ? arr : ((List<?>) o).toArray();
        long[] r = new long[a.length];
        for (int i = 0; i < a.length; i++) r[i] = toLong(a[i]);
        return r;
    }

    /**
     * Pyrolite's unpickler with the parts torch needs: dicts keep insertion order (state_dict order),
     * torch globals rebuild tensors, and any other class becomes a {@link PyObject}.
     */
    private static final class TorchUnpickler extends Unpickler {
        private final Path file;
        /** The type of every storage key seen, for the legacy format's trailing storages. */
        final Map<String, StorageType> storageTypes = new HashMap<>();

        TorchUnpickler(Path file) {
            this.file = file;
        }

        @Override
        protected Object dispatch(short key) throws PickleException, IOException {
            switch (key) {
                case Opcodes.EMPTY_DICT -> stack.add(new LinkedHashMap<>());
                case Opcodes.DICT -> {
                    List<Object> items = stack.pop_all_since_marker();
                    Map<Object, Object> m = new LinkedHashMap<>();
                    for (int i = 0; i + 1 < items.size(); i += 2) m.put(items.get(i), items.get(i + 1));
                    stack.add(m);
                }
                case Opcodes.SETITEMS -> {
                    List<Object> items = stack.pop_all_since_marker();
                    @SuppressWarnings("unchecked")
                    Map<Object, Object> m = (Map<Object, Object>) stack.peek();
                    for (int i = 0; i + 1 < items.size(); i += 2) m.put(items.get(i), items.get(i + 1));
                }
                case Opcodes.GLOBAL -> {
                    String module = PickleUtils.readline(input);
                    String name = PickleUtils.readline(input);
                    stack.add(global(module, name));
                }
                case Opcodes.STACK_GLOBAL -> {
                    String name = (String) stack.pop();
                    String module = (String) stack.pop();
                    stack.add(global(module, name));
                }
                case Opcodes.BUILD -> {
                    Object state = stack.pop();
                    Object target = stack.peek();
                    if (target instanceof PyObject p) {
                        // (dict, slots) pairs come from classes with __slots__; merge them into one dict
                        if (state instanceof Object[] pair && pair.length == 2 && (pair[0] == null || pair[0] instanceof Map)) {
                            Map<Object, Object> merged = new LinkedHashMap<>();
                            if (pair[0] instanceof Map<?, ?> d) merged.putAll(d);
                            if (pair[1] instanceof Map<?, ?> s) merged.putAll(s);
                            p.state = merged;
                        } else {
                            p.state = state;
                        }
                    } else if (target instanceof Map<?, ?> m && state instanceof Map<?, ?> s) {
                        @SuppressWarnings("unchecked")
                        Map<Object, Object> mm = (Map<Object, Object>) m;
                        mm.putAll(s);
                    } // other targets (sets, bytes, ...) carry nothing we need
                }
                default -> {
                    return super.dispatch(key);
                }
            }
            return NO_RETURN_VALUE;
        }

        private IObjectConstructor global(String module, String name) {
            String full = module + "." + name;
            return switch (full) {
                case "collections.OrderedDict", "builtins.dict", "__builtin__.dict" -> args -> {
                    Map<Object, Object> m = new LinkedHashMap<>();
                    if (args.length > 0 && args[0] instanceof List<?> pairs)
                        for (Object kv : pairs) {
                            Object[] p = kv instanceof Object[] a ? a : ((List<?>) kv).toArray();
                            m.put(p[0], p[1]);
                        }
                    else if (args.length > 0 && args[0] instanceof Map<?, ?> d) m.putAll(d);
                    return m;
                };
                // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
                case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor" -> args -> {
                    if (!(args[0] instanceof StorageRef || args[0] instanceof LoadedStorage))
                        throw new PickleException("tensor rebuilt from " + args[0] + " instead of a storage");
                    return new TensorRef(args[0], toLong(args[1]), longs(args[2]), longs(args[3]));
                };
                // plain pickles hold each storage as a legacy torch.save stream of its own
                case "torch.storage._load_from_bytes" -> args -> {
                    try {
                        Legacy l = loadLegacy(file, MemorySegment.ofArray((byte[]) args[0]));
                        if (!(l.root instanceof StorageRef r)) throw new PickleException("_load_from_bytes gave " + l.root + ", not a storage");
                        Storage data = isFloat(r.type.name) ? storage(file, r.key, r, l.data.get(r.key)) : null;
                        return new LoadedStorage(r.type, data, r.viewOffset);
                    } catch (IOException e) {
                        throw new PickleException(e.getMessage(), e);
                    }
                };
                // (data, requires_grad, backward_hooks[, state]): a Parameter is its data for us
                case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state" -> args -> args[0];
                default -> {
                    if (module.equals("torch") && name.endsWith("Storage")) yield new StorageType(name);
                    IObjectConstructor known = objectConstructors.get(full); // Pyrolite's: set, bytearray, datetime...
                    if (known != null) yield known;
                    yield args -> new PyObject(full, args);
                }
            };
        }

        /** ('storage', torch.FloatStorage, key, location, numel[, legacy view (view_key, offset, view_numel)]) */
        @Override
        protected Object persistentLoad(Object pid) {
            if (pid instanceof Object[] t && t.length >= 5 && "storage".equals(t[0]) && t[1] instanceof StorageType type) {
                String key = String.valueOf(t[2]);
                storageTypes.put(key, type);
                long viewOffset = t.length > 5 && t[5] instanceof Object[] view ? toLong(view[1]) : 0;
                return new StorageRef(type, key, toLong(t[4]), viewOffset);
            }
            throw new PickleException("unsupported persistent id " + (pid instanceof Object[] t ? Arrays.toString(t) : pid));
        }
    }
}
