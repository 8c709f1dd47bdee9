package dev.distill.examples;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.api.ImageSize;
import dev.distill.api.ProgressListener;
import dev.distill.api.Sampler;
import dev.distill.core.data.ClassIndex;
import dev.distill.core.data.ImageFolderDataset;
import dev.distill.core.data.ResizeMode;
import dev.distill.core.eval.ClassifierTrainer;
import dev.distill.core.eval.TrainConfig;
import dev.distill.core.guidance.Schedules;
import dev.distill.core.match.HardLabelMatcher;
import dev.distill.core.method.D4M;
import dev.distill.core.method.ModeGuided;
import dev.distill.core.method.RandomReal;
import dev.distill.core.nn.ImageClassifier;
import dev.distill.core.nn.StudentSpec;
import dev.distill.core.pipeline.Distill;
import dev.distill.core.pipeline.DistillMethod;
import dev.distill.core.pipeline.DistillResult;
import dev.distill.core.prompt.PromptSource;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import dev.distill.core.tensor.Threads;
import dev.distill.sdxl.pipeline.SdxlOptions;
import dev.distill.sdxl.pipeline.SdxlPipeline;
import dev.distill.sdxl.pipeline.SdxlTurbo;
import dev.distill.task.method.UniDD;
import dev.distill.task.proxy.ClassifierProxy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Distils an ImageFolder dataset of any size and resolution with SDXL (or SDXL-Turbo) through
 * {@link Distill}: random-real, D4M, Mode-Guided or UniDD.
 *
 * <pre>
 * ./distill imagefolder --pipeline ../shared/fixtures/sdxl-tiny --data DIR \
 *     --method d4m --ipc 2 --size 64 --steps 4 --out out/imagefolder
 * </pre>
 *
 * <p>Options: {@code --pipeline DIR} (an SDXL folder in diffusers layout, required except for
 * random-real), {@code --data DIR} (an ImageFolder: one sub-folder per class, JPEG/PNG of any
 * size), {@code --method d4m|mode-guided|unidd|random-real}, {@code --ipc N} (10), {@code --size
 * S|HxW} (generation size; default the sampler's: 1024 for SDXL, 512 for Turbo), {@code
 * --output-size S|HxW} (default: the dataset's first image's size, every image brought to it),
 * {@code --data-size S|HxW} (decode every real image at this size; default the first image's),
 * {@code --resize cover-crop|stretch}, {@code --classes FILE} (class mapping: text or JSON, see
 * {@link ClassIndex#read}), {@code --prompts FILE} (captions JSON/CSV), {@code --template T} ("a
 * photo of a {name}"), {@code --negative TEXT}, {@code --steps N} (30; Turbo 4), {@code --cfg G}
 * (5.0; Turbo 0), {@code --turbo}, {@code --seed N}, {@code --batch N} (4), {@code --device
 * cpu|cuda}, {@code --dtype fp32|fp16|bf16}, {@code --decode-scale 1|2|4} (UniDD decoder memory),
 * {@code --proxy-images N} (UniDD: real images per class to train its proxy on, 100), {@code
 * --proxy-epochs N} (30), {@code --proxy-size S} (32), {@code --strength X} (D4M, 0.7), {@code
 * --threads N}.
 *
 * <p>The output folder is an ImageFolder + {@code manifest.json} (generation and output sizes,
 * class mapping, per-image prompts); a rerun resumes finished classes.
 */
public final class DistillImageFolder {
  private DistillImageFolder() {}

  /**
   * What a run needs; built from the command line ({@code distill imagefolder}) or by code.
   *
   * @param pipeline the SDXL folder (null for random-real)
   * @param data the ImageFolder
   * @param method d4m, mode-guided, unidd or random-real
   * @param ipc images per class
   * @param size the generation size, if not the sampler's
   * @param outputSize the output size, if not the dataset's
   * @param dataSize the size every real image is decoded at, if not the first image's
   * @param resize the resize mode
   * @param classes a class mapping file
   * @param prompts a captions file
   * @param template the prompt template
   * @param negative the negative prompt
   * @param steps sampler steps
   * @param cfg the CFG scale
   * @param turbo SDXL-Turbo sampling
   * @param seed the run seed
   * @param batch the sampler batch
   * @param device cpu or cuda
   * @param dtype the UNet/text-encoder dtype
   * @param decodeScale the guidance decode downscale (1, 2, 4)
   * @param proxyImages UniDD proxy training images per class
   * @param proxyEpochs UniDD proxy epochs
   * @param proxySize UniDD proxy input side
   * @param strength D4M img2img strength
   * @param out the output folder
   */
  public record Options(
      Path pipeline,
      Path data,
      String method,
      int ipc,
      Optional<ImageSize> size,
      Optional<ImageSize> outputSize,
      Optional<ImageSize> dataSize,
      ResizeMode resize,
      Optional<Path> classes,
      Optional<Path> prompts,
      String template,
      String negative,
      int steps,
      double cfg,
      boolean turbo,
      long seed,
      int batch,
      String device,
      ScalarType dtype,
      int decodeScale,
      int proxyImages,
      int proxyEpochs,
      int proxySize,
      double strength,
      Path out) {}

  /**
   * Entry point.
   *
   * @param args see the class comment ({@code distill imagefolder --help})
   */
  public static void main(String[] args) {
    System.exit(dev.distill.examples.cli.DistillCli.run("imagefolder", args));
  }

  /**
   * Parses the test's short option list (the CLI's {@code imagefolder} command is the user path).
   */
  static Options parse(String[] args) {
    Path pipeline = null;
    Path data = null;
    Path out = null;
    String method = "d4m";
    int ipc = 10;
    ImageSize size = null;
    ImageSize outputSize = null;
    ImageSize dataSize = null;
    ResizeMode resize = ResizeMode.COVER_CROP;
    Path classes = null;
    Path prompts = null;
    String template = PromptSource.DEFAULT_TEMPLATE;
    String negative = "";
    Integer steps = null;
    Double cfg = null;
    boolean turbo = false;
    long seed = 0;
    int batch = 4;
    String device = "cpu";
    ScalarType dtype = ScalarType.Float;
    int decodeScale = 1;
    int proxyImages = 100;
    int proxyEpochs = 30;
    int proxySize = 32;
    double strength = 0.7;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--turbo")) {
        turbo = true;
        continue;
      }
      checkArgument(i + 1 < args.length, "option %s needs a value", a);
      String v = args[++i];
      switch (a) {
        case "--pipeline" -> pipeline = Path.of(v);
        case "--data" -> data = Path.of(v);
        case "--out" -> out = Path.of(v);
        case "--method" -> method = v;
        case "--ipc" -> ipc = Integer.parseInt(v);
        case "--size" -> size = ImageSize.parse(v);
        case "--output-size" -> outputSize = ImageSize.parse(v);
        case "--data-size" -> dataSize = ImageSize.parse(v);
        case "--resize" ->
            resize = ResizeMode.valueOf(v.toUpperCase(Locale.ROOT).replace('-', '_'));
        case "--classes" -> classes = Path.of(v);
        case "--prompts" -> prompts = Path.of(v);
        case "--template" -> template = v;
        case "--negative" -> negative = v;
        case "--steps" -> steps = Integer.parseInt(v);
        case "--cfg" -> cfg = Double.parseDouble(v);
        case "--seed" -> seed = Long.parseLong(v);
        case "--batch" -> batch = Integer.parseInt(v);
        case "--device" -> device = v;
        case "--dtype" -> dtype = dtype(v);
        case "--decode-scale" -> decodeScale = Integer.parseInt(v);
        case "--proxy-images" -> proxyImages = Integer.parseInt(v);
        case "--proxy-epochs" -> proxyEpochs = Integer.parseInt(v);
        case "--proxy-size" -> proxySize = Integer.parseInt(v);
        case "--strength" -> strength = Double.parseDouble(v);
        case "--threads" -> Threads.set(Integer.parseInt(v));
        default -> throw new IllegalArgumentException("unknown option " + a);
      }
    }
    checkArgument(data != null, "--data DIR is required");
    checkArgument(out != null, "--out DIR is required");
    return new Options(
        pipeline,
        data,
        method,
        ipc,
        Optional.ofNullable(size),
        Optional.ofNullable(outputSize),
        Optional.ofNullable(dataSize),
        resize,
        Optional.ofNullable(classes),
        Optional.ofNullable(prompts),
        template,
        negative,
        steps != null ? steps : (turbo ? 4 : 30),
        cfg != null ? cfg : (turbo ? 0.0 : 5.0),
        turbo,
        seed,
        batch,
        device,
        dtype,
        decodeScale,
        proxyImages,
        proxyEpochs,
        proxySize,
        strength,
        out);
  }

  public static ScalarType dtype(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "fp32", "float32", "float" -> ScalarType.Float;
      case "fp16", "float16", "half" -> ScalarType.Half;
      case "bf16", "bfloat16" -> ScalarType.BFloat16;
      default ->
          throw new IllegalArgumentException("--dtype must be fp32, fp16 or bf16 but was " + name);
    };
  }

  /**
   * Runs one distillation.
   *
   * @param o the options
   * @param listener progress
   * @return the result (close it)
   * @throws IOException if reading or writing fails
   */
  public static DistillResult run(Options o, ProgressListener listener) throws IOException {
    checkNotNull(o, "o");
    ImageFolderDataset.Builder b = ImageFolderDataset.builder(o.data()).resizeMode(o.resize());
    if (o.classes().isPresent()) {
      b.classIndexFile(o.classes().get());
    }
    o.dataSize().ifPresent(b::imageSize);
    ImageFolderDataset data = b.build();
    PromptSource prompts =
        o.prompts().isPresent()
            ? PromptSource.captions(o.prompts().get())
            : PromptSource.template(o.template());
    boolean generative = !o.method().equals("random-real");
    checkArgument(
        !generative || o.pipeline() != null,
        "--pipeline DIR (an SDXL folder) is required for method %s",
        o.method());
    SdxlPipeline pipeline = null;
    ImageClassifier proxyNet = null;
    try {
      Sampler sampler = null;
      if (generative) {
        SdxlOptions options =
            o.device().equals("cpu")
                ? SdxlOptions.cpu().withDtype(o.dtype())
                : SdxlOptions.cuda(o.dtype());
        if (o.decodeScale() > 1) {
          options = options.withDecodeScale(o.decodeScale());
        }
        pipeline = SdxlPipeline.load(o.pipeline(), options);
        sampler = o.turbo() ? SdxlTurbo.sampler(pipeline) : pipeline.sampler();
      }
      DistillMethod method =
          switch (o.method()) {
            case "random-real" -> RandomReal.of();
            case "d4m" -> D4M.defaults().withStrength(o.strength());
            case "mode-guided" -> ModeGuided.defaults();
            case "unidd" -> {
              proxyNet = trainProxy(data, o, listener);
              yield UniDD.classification(
                      ClassifierProxy.of(proxyNet, data.channels(), o.proxySize(), o.proxySize()))
                  .withSchedule(Schedules.x0Step(3.0));
            }
            default ->
                throw new IllegalArgumentException(
                    "--method must be d4m, mode-guided, unidd or random-real but was "
                        + o.method());
          };
      Distill run =
          Distill.from(data)
              .method(method)
              .ipc(o.ipc())
              .seed(o.seed())
              .numSteps(o.steps())
              .guidanceScale(o.cfg())
              .batchSize(o.batch())
              .resizeMode(o.resize())
              .prompts(prompts)
              .negativePrompt(o.negative())
              .listener(listener);
      if (sampler != null) {
        run.sampler(sampler);
      }
      o.size().ifPresent(run::imageSize);
      o.outputSize().ifPresent(run::outputSize);
      return run.run(o.out());
    } finally {
      if (proxyNet != null) {
        proxyNet.close();
      }
      if (pipeline != null) {
        pipeline.close();
      }
    }
  }

  /**
   * UniDD's task proxy: a ConvNet-3 trained with hard labels on up to {@code proxyImages} real
   * images per class, decoded at {@code proxySize}² (a small subset in memory).
   */
  static ImageClassifier trainProxy(ImageFolderDataset full, Options o, ProgressListener listener)
      throws IOException {
    ImageFolderDataset small =
        ImageFolderDataset.builder(full.root())
            .classIndex(full.classIndex())
            .imageSize(ImageSize.square(o.proxySize()))
            .resizeMode(o.resize())
            .build();
    try (TensorScope scope = TensorScope.open()) {
      TensorVector images = new TensorVector();
      java.util.List<Integer> labels = new java.util.ArrayList<>();
      for (int c = 0; c < small.numClasses(); c++) {
        int n = Math.min(o.proxyImages(), small.classSize(c));
        images.push_back(small.load(c, 0, n));
        for (int i = 0; i < n; i++) {
          labels.add(c);
        }
      }
      Tensor x = torch.cat(images, 0);
      Tensor y = Tensors.fromInts(labels.stream().mapToInt(Integer::intValue).toArray());
      ImageClassifier net =
          StudentSpec.convNet3()
              .withNetWidth(32)
              .create(small.channels(), o.proxySize(), o.proxySize(), small.numClasses(), o.seed());
      ClassifierTrainer.of(
              TrainConfig.dsaEvaluation().withEpochs(o.proxyEpochs()).withBatchSize(64))
          .train(net, x, y, HardLabelMatcher.of(), o.seed(), listener, "proxy");
      return net;
    }
  }
}
