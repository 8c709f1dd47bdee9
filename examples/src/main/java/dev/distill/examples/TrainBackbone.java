package dev.distill.examples;

import dev.distill.core.io.AtomicFiles;
import dev.distill.core.io.Idx;
import dev.distill.core.model.DiffusionTrainer;
import dev.distill.core.model.SmallUNetConfig;
import dev.distill.core.model.TrainerConfig;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import dev.distill.core.tensor.Threads;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Trains the built-in class-conditional diffusion model on Fashion-MNIST and writes its EMA weights
 * as {@code fashion-mnist-unet.safetensors} plus {@code fashion-mnist-unet.json} (the config).
 *
 * <pre>
 * java -Dorg.bytedeco.javacpp.maxPhysicalBytes=0 -cp ... dev.distill.examples.TrainBackbone \
 *     --out DIR [--steps N] [--batch B] [--lr LR] [--channels 32,64,64] [--res-blocks 1]
 *     [--ckpt DIR] [--resume] [--threads 2] [--data /usr/share/datasets/fashion-mnist]
 * </pre>
 *
 * <p>{@code --resume} continues from {@code DIR/checkpoint.safetensors} of {@code --ckpt} (default:
 * {@code --out}); the resumed run equals an uninterrupted one. {@code --extend N} resumes and
 * lengthens the run to N steps in all (a warm restart of the cosine learning rate).
 */
public final class TrainBackbone {
  private TrainBackbone() {}

  /**
   * Runs the training.
   *
   * @param args see the class comment
   * @throws Exception on any failure
   */
  public static void main(String[] args) throws Exception {
    Path out = null;
    Path ckptDir = null;
    Path data = Path.of("/usr/share/datasets/fashion-mnist");
    boolean resume = false;
    int extend = 0;
    int threads = 2;
    TrainerConfig tc = TrainerConfig.defaults();
    SmallUNetConfig.Builder mc = SmallUNetConfig.builder();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--out":
          out = Path.of(args[++i]);
          break;
        case "--ckpt":
          ckptDir = Path.of(args[++i]);
          break;
        case "--data":
          data = Path.of(args[++i]);
          break;
        case "--extend":
          resume = true;
          extend = Integer.parseInt(args[++i]);
          break;
        case "--resume":
          resume = true;
          break;
        case "--threads":
          threads = Integer.parseInt(args[++i]);
          break;
        case "--steps":
          tc = tc.withNumSteps(Integer.parseInt(args[++i]));
          break;
        case "--batch":
          tc = tc.withBatchSize(Integer.parseInt(args[++i]));
          break;
        case "--seed":
          tc = tc.withSeed(Long.parseLong(args[++i]));
          break;
        case "--lr":
          {
            double lr = Double.parseDouble(args[++i]);
            tc = tc.withLearningRate(lr, lr * 0.05);
            break;
          }
        case "--ckpt-every":
          tc = tc.withIntervals(Integer.parseInt(args[++i]), tc.logEvery());
          break;
        case "--channels":
          {
            List<Integer> ch = new ArrayList<>();
            for (String s : args[++i].split(",")) {
              ch.add(Integer.parseInt(s.trim()));
            }
            mc.channels(ch);
            break;
          }
        case "--res-blocks":
          mc.resBlocksPerLevel(Integer.parseInt(args[++i]));
          break;
        case "--patch":
          mc.patchSize(Integer.parseInt(args[++i]));
          break;
        default:
          throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    if (out == null) {
      throw new IllegalArgumentException("--out DIR is required");
    }
    if (ckptDir == null) {
      ckptDir = out;
    }
    Threads.set(threads);
    Files.createDirectories(out);
    Path ckpt = ckptDir.resolve("checkpoint.safetensors");
    long t0 = System.nanoTime();
    try (TensorScope scope = TensorScope.open()) {
      Idx.ByteArray img = Idx.read(data.resolve("train-images-idx3-ubyte.gz"));
      Idx.ByteArray lab = Idx.read(data.resolve("train-labels-idx1-ubyte.gz"));
      int n = img.shape()[0];
      Tensor images =
          Tensors.fromBytes(img.data(), n, 1, img.shape()[1], img.shape()[2])
              .to(ScalarType.Float)
              .div(Tensors.scalar(127.5))
              .sub(Tensors.scalar(1.0));
      Tensor labels = Tensors.fromBytes(lab.data(), n).to(ScalarType.Long);
      System.out.printf("data: %d images %dx%d%n", n, img.shape()[1], img.shape()[2]);
      DiffusionTrainer trainer =
          resume && Files.exists(ckpt)
              ? DiffusionTrainer.resume(ckpt, images, labels, extend)
              : DiffusionTrainer.create(mc.build(), tc, images, labels);
      try (trainer) {
        System.out.printf(
            "model: %d parameters, config %s%ntrainer: %s%nstarting at step %d%n",
            trainer.model().parameterCount(),
            trainer.modelConfig().toJson().replaceAll("\\s+", ""),
            trainer.config().toJson(),
            trainer.step());
        long[] last = {System.nanoTime()};
        int[] lastStep = {trainer.step()};
        double finalLoss =
            trainer.train(
                ckpt,
                p -> {
                  long now = System.nanoTime();
                  double perStep = (now - last[0]) / 1e9 / Math.max(1, p.done() - lastStep[0]);
                  last[0] = now;
                  lastStep[0] = (int) p.done();
                  System.out.printf(
                      "step %d/%d %s  %.3f s/step  elapsed %.0f s%n",
                      p.done(), p.total(), p.message(), perStep, (now - t0) / 1e9);
                });
        trainer
            .ema()
            .save(
                out.resolve("fashion-mnist-unet.safetensors"),
                Map.of(
                    "steps",
                    Integer.toString(trainer.step()),
                    "seed",
                    Long.toString(trainer.config().seed()),
                    "final_loss",
                    Double.toString(finalLoss)));
        AtomicFiles.writeString(
            out.resolve("fashion-mnist-unet.json"), trainer.modelConfig().toJson());
        System.out.printf(
            "done: %d steps, final loss %.5f, wall %.1f s%n",
            trainer.step(), finalLoss, (System.nanoTime() - t0) / 1e9);
      }
    }
  }
}
