package adamerge.vit.io;

import adamerge.tensor.Tensor;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Map;

/** Reads any supported checkpoint file into named float tensors, choosing the reader by magic bytes. */
public final class Checkpoints {
    private Checkpoints() {
    }

    /**
     * Float tensors by name, in file order: safetensors (integer entries such as position_ids
     * are left out), a torch.save zip or legacy file, or a plain pickle (state dicts or pickled
     * modules, named as state_dict() names them).
     * Tensors read in place from the mapped file, which stays mapped while they are reachable.
     */
    public static Map<String, Tensor> read(Path file) throws IOException {
        return switch (CheckpointFormat.detect(file)) {
            case SAFETENSORS -> {
                try (SafetensorsReader r = SafetensorsReader.open(file, Arena.ofAuto())) {
                    yield r.floatTensors();
                }
            }
            case TORCH_ZIP, TORCH_LEGACY, PICKLE -> PyTorchCheckpointReader.read(file);
            case UNKNOWN -> throw new IOException("not a checkpoint: " + file + " starts with bytes " + CheckpointFormat.describe(file)
                    + "; expected safetensors, a torch.save zip (\"PK\") or a pickle");
        };
    }
}
