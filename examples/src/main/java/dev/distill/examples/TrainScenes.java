package dev.distill.examples;

import dev.distill.api.annotation.BoundingBox;
import dev.distill.api.annotation.ImageAnnotations;
import dev.distill.api.annotation.ObjectAnnotation;
import dev.distill.core.data.FashionMnistScenes;
import dev.distill.core.data.SceneConfig;
import dev.distill.core.io.AtomicFiles;
import dev.distill.core.model.AutoencoderTrainer;
import dev.distill.core.model.BuiltinModel;
import dev.distill.core.model.DiffusionTrainer;
import dev.distill.core.model.LayoutMap;
import dev.distill.core.model.SmallAutoencoder;
import dev.distill.core.model.SmallUNetConfig;
import dev.distill.core.model.TrainerConfig;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import dev.distill.core.tensor.Threads;
import dev.distill.examples.cli.DistillCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Trains the built-in <em>scene</em> model ({@link BuiltinModel#fashionMnistScenes()}): a
 * layout-conditioned latent UNet on Fashion-MNIST scenes ({@link FashionMnistScenes}, the default
 * {@link SceneConfig}: 64×64, 1–4 garments), in the latent space of the shipped Fashion-MNIST
 * autoencoder (its weights at 64×64, 4×16×16 latents, the scaling factor re-measured on scenes).
 *
 * <pre>
 * ./distill train-scenes --out DIR [--scenes 10000] [--steps 3000] [--batch 64] [--threads 1]
 * </pre>
 *
 * <p>Each training scene gives its latent, its class (the dominant, i.e. largest, object's class)
 * and its {@link LayoutMap} (every object's box, on the 16×16 latent grid); the class and the
 * layout are dropped together with the trainer's class-dropout probability, so classifier-free
 * guidance has an unconditional branch. Writes {@code DIR/fashion-mnist-scenes-unet.safetensors}
 * (EMA weights), {@code .json} (config) and {@code DIR/fashion-mnist-scenes-vae.json}; {@code
 * --resume} continues from {@code DIR/checkpoint.safetensors}.
 */
public final class TrainScenes {
  private TrainScenes() {}

  /**
   * The parsed settings ({@code distill train-scenes}).
   *
   * @param out where the weights, configs and checkpoint are written
   * @param resume continue from the checkpoint if there is one
   * @param threads LibTorch intra-op threads
   * @param scenes training scenes (from the train split, scene i of the default config)
   * @param steps training steps
   * @param batchSize batch size
   * @param seed the run seed
   * @param learningRate peak learning rate (the minimum is 5 % of it)
   * @param checkpointEvery steps between checkpoints
   * @param channels channels per UNet level
   * @since 0.1.0
   */
  public record Options(
      Path out,
      boolean resume,
      int threads,
      int scenes,
      int steps,
      int batchSize,
      long seed,
      double learningRate,
      int checkpointEvery,
      List<Integer> channels) {
    /** Copies the list. */
    public Options {
      channels = List.copyOf(channels);
    }
  }

  /**
   * Entry point; the same as {@code distill train-scenes ARGS}.
   *
   * @param args the options
   */
  public static void main(String[] args) {
    System.exit(DistillCli.run("train-scenes", args));
  }

  /**
   * The class of a scene: its dominant (largest box) object's category minus one.
   *
   * @param scene the scene's annotations (category ids 1..K)
   * @return the class index
   */
  public static int dominantClass(ImageAnnotations scene) {
    ObjectAnnotation best = null;
    for (ObjectAnnotation o : scene.objects()) {
      if (best == null || area(o.box()) > area(best.box())) {
        best = o;
      }
    }
    if (best == null) {
      throw new IllegalArgumentException("scene must have at least one object but had none");
    }
    return best.categoryId() - 1;
  }

  private static double area(BoundingBox b) {
    return b.width() * b.height();
  }

  /**
   * Runs the training.
   *
   * @param options the settings
   * @throws Exception on any failure
   */
  public static void run(Options options) throws Exception {
    Threads.set(options.threads());
    Path out = options.out();
    Files.createDirectories(out);
    Path ckpt = out.resolve("checkpoint.safetensors");
    long t0 = System.nanoTime();
    SceneConfig sc = SceneConfig.defaults().withSize(options.scenes());
    int classes = BuiltinModel.FASHION_MNIST_CLASSES.size();
    try (TensorScope scope = TensorScope.open();
        BuiltinModel latent = BuiltinModel.fashionMnistLatent()) {
      SmallAutoencoder base = latent.autoencoder().orElseThrow();
      FashionMnistScenes scenes = FashionMnistScenes.train(sc);
      int n = options.scenes();
      Tensor images = scenes.images(0, n);
      List<ImageAnnotations> annotations = scenes.annotationSet(0, n).images();
      System.out.printf(
          "data: %d train scenes %dx%d (%s), %.1f s%n",
          n, sc.canvasSize(), sc.canvasSize(), sc, (System.nanoTime() - t0) / 1e9);
      SmallAutoencoder vae =
          SmallAutoencoder.fromTensors(
              base.config().withImageSize(sc.canvasSize()),
              base.parameters(),
              base.deviceOptions());
      double factor = AutoencoderTrainer.scalingFactor(vae, images, Math.min(n, 5_000));
      SmallAutoencoder scaled = vae.withScalingFactor(factor);
      vae.close();
      double[] err = AutoencoderTrainer.reconstructionError(scaled, images.narrow(0, 0, 500));
      System.out.printf(
          "autoencoder at %d: scaling factor %.5f; round trip on 500 scenes: MAE %.5f, MSE %.6f%n",
          sc.canvasSize(), factor, err[0], err[1]);
      Tensor latents;
      try (NoGradGuard g = new NoGradGuard()) {
        List<Tensor> parts = new ArrayList<>();
        for (int from = 0; from < n; from += 500) {
          parts.add(scaled.encode(images.narrow(0, from, Math.min(500, n - from))));
        }
        latents = torch.cat(new TensorVector(parts.toArray(new Tensor[0])), 0);
      }
      int side = scaled.config().latentSize();
      Tensor layouts = LayoutMap.batch(annotations, classes, side);
      long[] labels = new long[n];
      for (int i = 0; i < n; i++) {
        labels[i] = dominantClass(annotations.get(i));
      }
      images.close();
      System.out.printf(
          "latents %s std %.4f; layouts %s; %.1f s%n",
          java.util.Arrays.toString(Tensors.shape(latents)),
          latents.std().item_double(),
          java.util.Arrays.toString(Tensors.shape(layouts)),
          (System.nanoTime() - t0) / 1e9);
      SmallUNetConfig mc =
          SmallUNetConfig.builder()
              .image(scaled.config().latentChannels(), side)
              .channels(options.channels())
              .resBlocksPerLevel(1)
              .conditionChannels(LayoutMap.channels(classes))
              .build();
      TrainerConfig tc =
          TrainerConfig.defaults()
              .withNumSteps(options.steps())
              .withBatchSize(options.batchSize())
              .withSeed(options.seed())
              .withLearningRate(options.learningRate(), options.learningRate() * 0.05);
      tc = tc.withIntervals(options.checkpointEvery(), tc.logEvery());
      Tensor labelTensor = Tensors.fromLongs(labels, n);
      DiffusionTrainer trainer =
          options.resume() && Files.exists(ckpt)
              ? DiffusionTrainer.resume(ckpt, latents, labelTensor)
              : DiffusionTrainer.of(mc, tc, latents, labelTensor);
      try (trainer) {
        trainer.conditions(layouts);
        System.out.printf(
            "model: %d parameters, config %s%ntrainer: %s%nstarting at step %d%n",
            trainer.model().parameterCount(),
            trainer.modelConfig().toJson().replaceAll("\\s+", ""),
            trainer.config().toJson(),
            trainer.step());
        double finalLoss = TrainBackbone.trainPrinting(trainer, ckpt, t0);
        String unet = BuiltinModel.FASHION_MNIST_SCENES;
        trainer
            .ema()
            .save(
                out.resolve(unet + ".safetensors"),
                Map.of(
                    "steps",
                    Integer.toString(trainer.step()),
                    "seed",
                    Long.toString(trainer.config().seed()),
                    "scenes",
                    Integer.toString(n),
                    "final_loss",
                    Double.toString(finalLoss)));
        AtomicFiles.writeString(out.resolve(unet + ".json"), trainer.modelConfig().toJson());
        AtomicFiles.writeString(
            out.resolve(BuiltinModel.FASHION_MNIST_SCENES_VAE_CONFIG), scaled.config().toJson());
        System.out.printf(
            "done: %d steps, final loss %.5f, wall %.1f s%n",
            trainer.step(), finalLoss, (System.nanoTime() - t0) / 1e9);
      } finally {
        scaled.close();
      }
    }
  }
}
