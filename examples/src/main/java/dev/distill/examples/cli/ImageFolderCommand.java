package dev.distill.examples.cli;

import dev.distill.api.ImageSize;
import dev.distill.core.data.ResizeMode;
import dev.distill.core.prompt.PromptSource;
import dev.distill.examples.ConsoleProgress;
import dev.distill.examples.DistillImageFolder;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code distill imagefolder}: distil an ImageFolder dataset with SDXL or SDXL-Turbo ({@link
 * DistillImageFolder}).
 *
 * @since 0.1.0
 */
@Command(
    name = "imagefolder",
    mixinStandardHelpOptions = true,
    versionProvider = DistillCli.VersionProvider.class,
    sortOptions = false,
    header = "Distil an ImageFolder dataset with SDXL (D4M, Mode-Guided, UniDD, random-real).",
    description = {
      "Reads an ImageFolder (one sub-folder per class, JPEG/PNG of any size) lazily, generates"
          + " with the SDXL folder --pipeline at --size, and writes the distilled set at the"
          + " dataset's size (or --output-size) as an ImageFolder + manifest.json. A rerun with"
          + " the same options resumes finished classes.",
      ""
    })
public final class ImageFolderCommand extends JobCommand<DistillImageFolder.Options> {
  private static final List<String> METHODS = List.of("d4m", "mode-guided", "unidd", "random-real");

  @Option(
      names = "--data",
      paramLabel = "DIR",
      required = true,
      description = "the ImageFolder: one sub-folder per class")
  Path data;

  @Option(names = "--out", paramLabel = "DIR", required = true, description = "the output folder")
  Path out;

  @Option(
      names = "--pipeline",
      paramLabel = "DIR",
      description = "an SDXL(-Turbo) folder in diffusers layout (not needed for random-real)")
  Path pipeline;

  @Option(
      names = "--method",
      paramLabel = "NAME",
      defaultValue = "d4m",
      description = "d4m, mode-guided, unidd or random-real (default: ${DEFAULT-VALUE})")
  String method;

  @Option(
      names = "--ipc",
      paramLabel = "N",
      defaultValue = "10",
      description = "images per class, 1..1000 (default: ${DEFAULT-VALUE})")
  int ipc;

  @Option(
      names = "--size",
      paramLabel = "S|HxW",
      description =
          "generation size, sides divisible by the VAE factor (default: the sampler's,"
              + " 1024 for SDXL, 512 with --turbo)")
  String size;

  @Option(
      names = "--output-size",
      paramLabel = "S|HxW",
      description = "size of the distilled images (default: the dataset's)")
  String outputSize;

  @Option(
      names = "--data-size",
      paramLabel = "S|HxW",
      description =
          "decode every real image at this size (default: every image must have the"
              + " first one's size)")
  String dataSize;

  @Option(
      names = "--resize",
      paramLabel = "MODE",
      defaultValue = "cover-crop",
      description =
          "cover-crop (shorter side + centre crop) or stretch (default: ${DEFAULT-VALUE})")
  String resize;

  @Option(
      names = "--classes",
      paramLabel = "FILE",
      description = "class mapping (text: folder [name] per line; JSON: list or {folder: index})")
  Path classes;

  @Option(
      names = "--prompts",
      paramLabel = "FILE",
      description = "captions file: JSON {class: [prompts]} or CSV class,prompt")
  Path prompts;

  @Option(
      names = "--template",
      paramLabel = "T",
      defaultValue = PromptSource.DEFAULT_TEMPLATE,
      description = "prompt template, {name} = class name (default: ${DEFAULT-VALUE})")
  String template;

  @Option(
      names = "--negative",
      paramLabel = "TEXT",
      defaultValue = "",
      description = "negative prompt (default: none; D4M uses its own)")
  String negative;

  @Option(
      names = "--steps",
      paramLabel = "K",
      description = "sampler steps (default: 30, 4 with --turbo)")
  Integer steps;

  @Option(
      names = "--cfg",
      paramLabel = "G",
      description = "classifier-free guidance scale (default: 5.0, 0 with --turbo)")
  Double cfg;

  @Option(names = "--turbo", description = "SDXL-Turbo sampling (Euler ancestral, trailing)")
  boolean turbo;

  @Option(
      names = "--seed",
      paramLabel = "S",
      defaultValue = "0",
      description = "run seed (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(
      names = "--batch",
      paramLabel = "N",
      defaultValue = "4",
      description = "sampler batch (default: ${DEFAULT-VALUE})")
  int batch;

  @Option(
      names = "--device",
      paramLabel = "DEV",
      defaultValue = "cpu",
      description = "cpu or cuda (default: ${DEFAULT-VALUE})")
  String device;

  @Option(
      names = "--dtype",
      paramLabel = "T",
      defaultValue = "fp32",
      description = "fp32, fp16 or bf16 for the UNet and text encoders (default: ${DEFAULT-VALUE})")
  String dtype;

  @Option(
      names = "--decode-scale",
      paramLabel = "F",
      defaultValue = "1",
      description =
          "UniDD: decode a 1/F-size x0 estimate for the gradient, 1, 2 or 4"
              + " (default: ${DEFAULT-VALUE})")
  int decodeScale;

  @Option(
      names = "--strength",
      paramLabel = "X",
      defaultValue = "0.7",
      description = "D4M img2img strength in (0, 1] (default: ${DEFAULT-VALUE})")
  double strength;

  @Option(
      names = "--proxy-images",
      paramLabel = "N",
      defaultValue = "100",
      description =
          "UniDD: real images per class to train the proxy on (default: ${DEFAULT-VALUE})")
  int proxyImages;

  @Option(
      names = "--proxy-epochs",
      paramLabel = "N",
      defaultValue = "30",
      description = "UniDD: proxy training epochs (default: ${DEFAULT-VALUE})")
  int proxyEpochs;

  @Option(
      names = "--proxy-size",
      paramLabel = "S",
      defaultValue = "32",
      description = "UniDD: proxy input side (default: ${DEFAULT-VALUE})")
  int proxySize;

  /** The real run. */
  public ImageFolderCommand() {
    this(
        Job.of(
            o -> DistillImageFolder.run(o, ConsoleProgress.of(System.out, "imagefolder")).close()));
  }

  /**
   * An imagefolder command that hands its options to {@code job}.
   *
   * @param job the work
   */
  public ImageFolderCommand(Job<DistillImageFolder.Options> job) {
    super(job);
  }

  private Optional<ImageSize> sizeOption(String option, String value) {
    if (value == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(ImageSize.parse(value));
    } catch (IllegalArgumentException e) {
      throw invalid(option, value, "be S or HxW with positive integers (e.g. 512 or 480x640)");
    }
  }

  @Override
  protected DistillImageFolder.Options options() {
    if (!METHODS.contains(method)) {
      throw invalid("--method", method, "be one of " + String.join(", ", METHODS));
    }
    readableFolder("--data", data);
    writableFolder("--out", out);
    if (!method.equals("random-real")) {
      if (pipeline == null) {
        throw invalid("--pipeline", "missing", "be an SDXL folder for method " + method);
      }
      readableFolder("--pipeline", pipeline, "model_index.json");
    }
    inRange("--ipc", ipc, 1, 1000);
    inRange("--batch", batch, 1, 1024);
    inRange("--proxy-images", proxyImages, 1, 1_000_000);
    inRange("--proxy-epochs", proxyEpochs, 1, 100_000);
    inRange("--proxy-size", proxySize, 4, 4096);
    inRange("--strength", strength, 1e-9, 1.0);
    if (decodeScale != 1 && decodeScale != 2 && decodeScale != 4) {
      throw invalid("--decode-scale", decodeScale, "be 1, 2 or 4");
    }
    if (!device.equals("cpu") && !device.startsWith("cuda")) {
      throw invalid("--device", device, "be cpu or cuda[:N]");
    }
    ResizeMode mode;
    try {
      mode = ResizeMode.valueOf(resize.toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw invalid("--resize", resize, "be cover-crop or stretch");
    }
    org.bytedeco.pytorch.global.torch.ScalarType type;
    try {
      type = DistillImageFolder.dtype(dtype);
    } catch (IllegalArgumentException e) {
      throw invalid("--dtype", dtype, "be fp32, fp16 or bf16");
    }
    int k = steps != null ? inRange("--steps", steps, 1, 10_000) : (turbo ? 4 : 30);
    double g = cfg != null ? inRange("--cfg", cfg, 0.0, 100.0) : (turbo ? 0.0 : 5.0);
    return new DistillImageFolder.Options(
        pipeline,
        data,
        method,
        ipc,
        sizeOption("--size", size),
        sizeOption("--output-size", outputSize),
        sizeOption("--data-size", dataSize),
        mode,
        Optional.ofNullable(classes).map(f -> readableFile("--classes", f)),
        Optional.ofNullable(prompts).map(f -> readableFile("--prompts", f)),
        template,
        negative,
        k,
        g,
        turbo,
        seed,
        batch,
        device,
        type,
        decodeScale,
        proxyImages,
        proxyEpochs,
        proxySize,
        strength,
        out);
  }

  @Override
  protected Optional<String> interruptHint(DistillImageFolder.Options options) {
    return Optional.of("finished classes in " + options.out() + " are kept");
  }
}
