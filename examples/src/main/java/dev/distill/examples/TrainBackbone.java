package dev.distill.examples;

import dev.distill.core.io.AtomicFiles;
import dev.distill.core.io.Idx;
import dev.distill.core.model.AutoencoderTrainer;
import dev.distill.core.model.BuiltinModel;
import dev.distill.core.model.DiffusionTrainer;
import dev.distill.core.model.SmallAutoencoder;
import dev.distill.core.model.SmallAutoencoderConfig;
import dev.distill.core.model.SmallUNetConfig;
import dev.distill.core.model.TrainerConfig;
import dev.distill.core.tensor.DeviceOptions;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import dev.distill.core.tensor.Threads;
import dev.distill.examples.cli.DistillCli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Trains the built-in class-conditional diffusion model on Fashion-MNIST and writes its EMA weights
 * as {@code fashion-mnist-unet.safetensors} plus {@code fashion-mnist-unet.json} (the config).
 *
 * <p>With {@code --latent} it trains the latent model instead: first a {@link SmallAutoencoder}
 * ({@code fashion-mnist-vae.*}; reused on {@code --resume} once written), then a UNet on the
 * autoencoder's latents of all training images ({@code fashion-mnist-latent-unet.*}).
 *
 * <pre>
 * ./distill train-backbone --out DIR [--steps N] [--batch B] [--lr LR] [--channels 32,64,64] [--res-blocks 1]
 *     [--ckpt DIR] [--resume] [--threads 2] [--data /usr/share/datasets/fashion-mnist]
 * </pre>
 *
 * <p>The options are parsed and checked by {@code dev.distill.examples.cli.TrainBackboneCommand};
 * {@link #run(Options)} takes the parsed values. {@code --resume} continues from {@code
 * DIR/checkpoint.safetensors} of {@code --ckpt} (default: {@code --out}); the resumed run equals an
 * uninterrupted one. {@code --extend N} resumes and lengthens the run to N steps in all (a warm
 * restart of the cosine learning rate).
 */
public final class TrainBackbone {
  private TrainBackbone() {}

  /**
   * The parsed settings of one training run (the {@code distill train-backbone} options).
   *
   * @param out where the EMA weights and config are written
   * @param ckptDir where {@code checkpoint.safetensors} is written and resumed from
   * @param data the folder with Fashion-MNIST's IDX training files
   * @param resume continue from the checkpoint if there is one
   * @param extend when resuming, lengthen the run to this many steps in all (0: keep)
   * @param threads LibTorch intra-op threads
   * @param steps training steps
   * @param batchSize batch size
   * @param seed the run seed
   * @param learningRate peak learning rate (the minimum is 5 % of it)
   * @param checkpointEvery steps between checkpoints
   * @param channels channels per UNet level; empty keeps the built-in config's
   * @param resBlocks residual blocks per level; 0 keeps the built-in config's
   * @param patchSize patch size; 0 keeps the built-in config's
   * @param latent train the latent model (autoencoder, then a UNet on its latents) instead of the
   *     pixel model
   * @param vaeSteps autoencoder training steps (latent model)
   * @param vaeBatch autoencoder batch size (latent model)
   * @param vaeLr autoencoder peak learning rate (latent model)
   * @param klWeight weight of the autoencoder's KL term (latent model)
   * @since 0.1.0
   */
  public record Options(
      Path out,
      Path ckptDir,
      Path data,
      boolean resume,
      int extend,
      int threads,
      int steps,
      int batchSize,
      long seed,
      double learningRate,
      int checkpointEvery,
      List<Integer> channels,
      int resBlocks,
      int patchSize,
      boolean latent,
      int vaeSteps,
      int vaeBatch,
      double vaeLr,
      double klWeight) {
    /** Copies the list. */
    public Options {
      channels = List.copyOf(channels);
    }
  }

  /**
   * Entry point; the same as {@code distill train-backbone ARGS}.
   *
   * @param args the {@code distill train-backbone} options
   */
  public static void main(String[] args) {
    System.exit(DistillCli.run("train-backbone", args));
  }

  /**
   * Runs the training.
   *
   * @param options the settings
   * @throws Exception on any failure
   */
  public static void run(Options options) throws Exception {
    Path out = options.out();
    Path ckptDir = options.ckptDir();
    Path data = options.data();
    boolean resume = options.resume() || options.extend() > 0;
    int extend = options.extend();
    TrainerConfig tc =
        TrainerConfig.defaults()
            .withNumSteps(options.steps())
            .withBatchSize(options.batchSize())
            .withSeed(options.seed())
            .withLearningRate(options.learningRate(), options.learningRate() * 0.05);
    tc = tc.withIntervals(options.checkpointEvery(), tc.logEvery());
    SmallUNetConfig.Builder mc = SmallUNetConfig.builder();
    if (options.latent()) {
      SmallAutoencoderConfig vc = SmallAutoencoderConfig.defaults();
      mc.image(vc.latentChannels(), vc.latentSize()).channels(List.of(64)).resBlocksPerLevel(2);
    }
    if (!options.channels().isEmpty()) {
      mc.channels(options.channels());
    }
    if (options.resBlocks() > 0) {
      mc.resBlocksPerLevel(options.resBlocks());
    }
    if (options.patchSize() > 0) {
      mc.patchSize(options.patchSize());
    }
    Threads.set(options.threads());
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
      String base = BuiltinModel.FASHION_MNIST;
      SmallAutoencoder vae = null;
      if (options.latent()) {
        base = BuiltinModel.FASHION_MNIST_LATENT;
        vae = autoencoder(options, images, t0);
        System.out.println("encoding the training images ...");
        try (NoGradGuard g = new NoGradGuard()) {
          List<Tensor> parts = new ArrayList<>();
          for (int from = 0; from < n; from += 500) {
            parts.add(vae.encode(images.narrow(0, from, Math.min(500, n - from))));
          }
          images = torch.cat(new TensorVector(parts.toArray(new Tensor[0])), 0);
        }
        vae.close();
        System.out.printf(
            "latents: %s, std %.4f%n",
            java.util.Arrays.toString(Tensors.shape(images)), images.std().item_double());
      }
      DiffusionTrainer trainer =
          resume && Files.exists(ckpt)
              ? DiffusionTrainer.resume(ckpt, images, labels, extend)
              : DiffusionTrainer.of(mc.build(), tc, images, labels);
      try (trainer) {
        System.out.printf(
            "model: %d parameters, config %s%ntrainer: %s%nstarting at step %d%n",
            trainer.model().parameterCount(),
            trainer.modelConfig().toJson().replaceAll("\\s+", ""),
            trainer.config().toJson(),
            trainer.step());
        double finalLoss = trainPrinting(trainer, ckpt, t0);
        trainer
            .ema()
            .save(
                out.resolve(base + ".safetensors"),
                Map.of(
                    "steps",
                    Integer.toString(trainer.step()),
                    "seed",
                    Long.toString(trainer.config().seed()),
                    "final_loss",
                    Double.toString(finalLoss)));
        AtomicFiles.writeString(out.resolve(base + ".json"), trainer.modelConfig().toJson());
        System.out.printf(
            "done: %d steps, final loss %.5f, wall %.1f s%n",
            trainer.step(), finalLoss, (System.nanoTime() - t0) / 1e9);
      }
    }
  }

  /**
   * Runs a trainer to its end, printing each logged step's loss, seconds per step and elapsed time
   * (the training commands' console output).
   *
   * @param trainer the trainer
   * @param ckpt its checkpoint file
   * @param t0 the run's start ({@link System#nanoTime()})
   * @return the final mean loss
   * @throws IOException if a checkpoint cannot be written
   */
  static double trainPrinting(DiffusionTrainer trainer, Path ckpt, long t0) throws IOException {
    long[] last = {System.nanoTime()};
    int[] lastStep = {trainer.step()};
    return trainer.train(
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
  }

  /**
   * Phase 1 of the latent model: loads {@code OUT/fashion-mnist-vae.*} if a previous run finished
   * it, otherwise trains the autoencoder, measures its scaling factor and writes it (atomically).
   */
  private static SmallAutoencoder autoencoder(Options options, Tensor images, long t0)
      throws IOException {
    Path weights = options.out().resolve(BuiltinModel.FASHION_MNIST_VAE + ".safetensors");
    Path config = options.out().resolve(BuiltinModel.FASHION_MNIST_VAE + ".json");
    if (options.resume() && Files.exists(weights) && Files.exists(config)) {
      System.out.println("autoencoder: reusing " + weights);
      return SmallAutoencoder.load(
          SmallAutoencoderConfig.fromJson(Files.readString(config)), weights, DeviceOptions.cpu());
    }
    SmallAutoencoderConfig vc = SmallAutoencoderConfig.defaults();
    try (SmallAutoencoder fresh =
        SmallAutoencoder.initialize(vc, options.seed(), DeviceOptions.cpu())) {
      System.out.printf(
          "autoencoder: %d parameters, config %s%n",
          fresh.parameterCount(), vc.toJson().replaceAll("\\s+", ""));
      AutoencoderTrainer.Result r =
          AutoencoderTrainer.train(
              fresh,
              images,
              options.vaeSteps(),
              options.vaeBatch(),
              options.vaeLr(),
              options.klWeight(),
              options.seed(),
              p ->
                  System.out.printf(
                      "vae step %d/%d %s  elapsed %.0f s%n",
                      p.done(), p.total(), p.message(), (System.nanoTime() - t0) / 1e9));
      double factor = AutoencoderTrainer.scalingFactor(fresh, images, 5_000);
      SmallAutoencoder vae = fresh.withScalingFactor(factor);
      double[] err = AutoencoderTrainer.reconstructionError(vae, images.narrow(0, 0, 2_000));
      System.out.printf(
          "autoencoder done: %d steps in %.0f s, last loss %.5f, L1 %.5f; scaling factor %.5f;"
              + " round trip on 2,000 training images: MAE %.5f, MSE %.6f (scale [-1, 1])%n",
          r.steps(), r.seconds(), r.lastLoss(), r.lastReconstruction(), factor, err[0], err[1]);
      vae.save(
          weights,
          Map.of(
              "steps",
              Integer.toString(r.steps()),
              "seed",
              Long.toString(options.seed()),
              "kl_weight",
              Double.toString(options.klWeight()),
              "final_loss",
              Double.toString(r.lastLoss())));
      AtomicFiles.writeString(config, vae.config().toJson());
      return vae;
    }
  }
}
