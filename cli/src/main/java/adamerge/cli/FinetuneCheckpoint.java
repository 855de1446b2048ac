package adamerge.cli;

import adamerge.output.Json;
import adamerge.tensor.Tensor;
import adamerge.training.Trainer;
import adamerge.vit.io.SafetensorsReader;
import adamerge.vit.io.SafetensorsWriter;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything a fine-tuning run needs to continue exactly where it stopped, as one safetensors
 * file written atomically (model-sized state does not belong in JSON): the trained parameters
 * ({@code parameter.NAME}) and Adam's moments ({@code optimizer.exp_avg.I}, {@code
 * optimizer.exp_avg_sq.I}) as F32, bit for bit; in the metadata, the step, the position in the
 * epoch's shuffle, the loss bookkeeping, the settings and the input fingerprints.
 */
record FinetuneCheckpoint(RunIdentity run, Trainer.State state) implements Checkpointing.Checkpoint {
    static final String FORMAT = "adamerge-finetune-checkpoint/1";
    private static final String PARAMETER = "parameter.", OPTIMIZER = "optimizer.";

    @Override
    public int step() {
        return state.step();
    }

    @Override
    public void write(Path file) throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        state.parameters().forEach((k, v) -> tensors.put(PARAMETER + k, v));
        state.optimizer().forEach((k, v) -> tensors.put(OPTIMIZER + k, v));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("step", Integer.toString(state.step()));
        meta.put("epoch", Integer.toString(state.epoch()));
        meta.put("batch_in_epoch", Integer.toString(state.batchInEpoch()));
        // Double.toString round-trips exactly, NaN included
        meta.put("epoch_loss_sum", Double.toString(state.epochLossSum()));
        meta.put("first_epoch_loss", Double.toString(state.firstEpochLoss()));
        meta.put("last_epoch_loss", Double.toString(state.lastEpochLoss()));
        meta.put("run", Json.GSON.toJson(run));
        SafetensorsWriter.write(file, tensors, meta);
    }

    /** Reads a checkpoint onto the heap; a missing, truncated or foreign file is a one-line error naming it. */
    static FinetuneCheckpoint read(Path file) throws IOException {
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            Map<String, String> meta = r.metadata();
            if (!FORMAT.equals(meta.get("format"))) throw new IllegalArgumentException("its metadata names no format " + FORMAT);
            Map<String, Tensor> parameters = new LinkedHashMap<>(), optimizer = new LinkedHashMap<>();
            for (String name : r.names()) {
                Tensor t = r.tensor(name);
                Tensor onHeap = Tensor.of(t.toArray(), t.shape()); // the file is replaced by the next checkpoint
                if (name.startsWith(PARAMETER)) parameters.put(name.substring(PARAMETER.length()), onHeap);
                else if (name.startsWith(OPTIMIZER)) optimizer.put(name.substring(OPTIMIZER.length()), onHeap);
            }
            RunIdentity run = Json.GSON.fromJson(meta.get("run"), RunIdentity.class);
            if (run == null || run.settings() == null || run.inputs() == null) throw new IllegalArgumentException("no settings or inputs");
            return new FinetuneCheckpoint(run, new Trainer.State(Integer.parseInt(meta.get("step")), Integer.parseInt(meta.get("epoch")),
                    Integer.parseInt(meta.get("batch_in_epoch")), parameters, optimizer, Double.parseDouble(meta.get("epoch_loss_sum")),
                    Double.parseDouble(meta.get("first_epoch_loss")), Double.parseDouble(meta.get("last_epoch_loss"))));
        } catch (NoSuchFileException e) {
            throw new IOException("--resume " + file + ": no such checkpoint");
        } catch (IOException | RuntimeException e) { // the reader's truncation errors, a foreign file, a broken "run" JSON, a missing number
            throw Checkpointing.notComplete(file, "fine-tuning", e);
        }
    }
}
