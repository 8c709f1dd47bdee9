package dev.distill.examples;

import dev.distill.api.Conditioning;
import dev.distill.api.EvalReport;
import dev.distill.api.GradientMode;
import dev.distill.api.GuidanceTerm;
import dev.distill.api.ProgressListener;
import dev.distill.api.SampleRequest;
import dev.distill.api.SampleResult;
import dev.distill.api.Sampler;
import dev.distill.api.ImageSize;
import dev.distill.api.annotation.ImageAnnotations;
import dev.distill.api.annotation.Mask;
import dev.distill.core.data.CocoDataset;
import dev.distill.core.data.FashionMnist;
import dev.distill.core.data.FashionMnistScenes;
import dev.distill.core.data.SceneConfig;
import dev.distill.core.data.SceneStatistics;
import dev.distill.task.metric.Detection;
import dev.distill.task.metric.DetectionMetrics;
import dev.distill.task.metric.DetectionMetricsResult;
import dev.distill.task.metric.SegmentationMetrics;
import dev.distill.task.metric.SegmentationMetricsResult;
import dev.distill.core.data.ImageFolderDataset;
import dev.distill.core.data.LabeledImages;
import dev.distill.core.eval.ClassificationEvaluator;
import dev.distill.core.eval.EvalProtocol;
import dev.distill.core.filter.DedupConfig;
import dev.distill.core.filter.DedupFilter;
import dev.distill.core.filter.ReferenceIndex;
import dev.distill.core.guidance.GuidanceTerms;
import dev.distill.core.guidance.Schedules;
import dev.distill.core.match.GradientStatistic;
import dev.distill.core.match.GradientStatisticsMatcher;
import dev.distill.core.match.HardLabelMatcher;
import dev.distill.core.match.StoredSoftLabelMatcher;
import dev.distill.core.nn.ImageClassifier;
import dev.distill.core.method.D4M;
import dev.distill.core.method.MixedReal;
import dev.distill.core.method.RandomReal;
import dev.distill.core.model.BuiltinModel;
import dev.distill.core.pipeline.Distill;
import dev.distill.core.pipeline.DistillResult;
import dev.distill.core.pipeline.Filters;
import dev.distill.core.prompt.PromptSource;
import dev.distill.sdxl.pipeline.SdxlOptions;
import dev.distill.sdxl.pipeline.SdxlPipeline;
import dev.distill.task.guidance.TaskLossGuidance;
import dev.distill.task.proxy.ClassificationProxy;
import java.io.IOException;
import java.nio.file.Path;
import dev.distill.spark.DatasetSources;
import dev.distill.spark.MethodSpec;
import dev.distill.spark.SamplerFactories;
import dev.distill.spark.SparkDistill;
import dev.distill.spark.SparkDistillResult;
import dev.distill.spark.SparkRecipe;
import java.util.EnumSet;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The README's Java snippets, compiled by every build so they cannot rot; {@code
 * ReadmeExamplesTest} checks that each README code line appears here, in order.
 */
final class ReadmeExamples {
  private ReadmeExamples() {}

  /** README "Using the library": D4M on the built-in model with a leak filter. */
  static void d4mOnBuiltin() throws IOException {
    try (LabeledImages train = FashionMnist.train();
         LabeledImages test = FashionMnist.test();
         BuiltinModel model = BuiltinModel.fashionMnist()) {
      DedupFilter dedup = DedupFilter.of(DedupConfig.defaults().withMaxHammingDistance(0));
      try (ReferenceIndex testIndex = dedup.index(test.images());
           DistillResult result = Distill.from(train)
               .method(D4M.defaults())                  // k-means prototypes + img2img, strength 0.7
               .sampler(model.sampler())
               .ipc(10).seed(0).numSteps(25).guidanceScale(2.0)
               .filter(Filters.dedup(dedup, testIndex))  // pHash leak / near-duplicate filter
               .listener(System.out::println)
               .run(Path.of("out/d4m"))) {               // ImageFolder + manifest.json, resumable
        EvalReport hard = ClassificationEvaluator.of(EvalProtocol.defaults(), test)
            .evaluate(result.set(), HardLabelMatcher.of(), ProgressListener.NONE);
        System.out.println(hard.metric("top1").format(2));
      }
    }
  }

  /** README: a custom guidance term. */
  static void customTerm(BuiltinModel model) {
    GuidanceTerm brighter = ctx -> ctx.predictedImages().mean().neg();          // push x̂0 brighter
    SampleRequest req = SampleRequest.builder(List.of(Conditioning.ofClass(3)))
        .numSteps(25).guidanceScale(2.0).seed(7)
        .guidance(GuidanceTerms.scheduled(brighter, Schedules.cosine(50.0, 0.0)))
        .build();
    try (SampleResult r = model.sampler().sample(req)) { /* r.images(): [1,1,28,28] in [-1,1] */ }
  }

  /** README: the built-in latent model. */
  static void latentModel(LabeledImages train) throws IOException {
    try (BuiltinModel latent = BuiltinModel.fashionMnistLatent();        // autoencoder + latent UNet
         DistillResult r = Distill.from(train).method(D4M.defaults())     // centroids of VAE latents
             .sampler(latent.sampler()).ipc(10).seed(0).numSteps(25).guidanceScale(2.0)
             .run(Path.of("out/d4m-latent"))) {
      Tensor z = latent.encoder().encode(train.images().narrow(0, 0, 8)); // [8, 4, 7, 7]
    }
  }

  /** README "Training behaviour, proxy ensembles, a little real data". */
  static void recipeA(LabeledImages train, LabeledImages test, DistillResult result) {
    try (GradientStatisticsMatcher behaviour =
             GradientStatisticsMatcher.builder(HardLabelMatcher.of(), train)   // train, never test
                 .weight(1.0).realPerClass(10)
                 .statistics(EnumSet.of(GradientStatistic.MEAN, GradientStatistic.VARIANCE))
                 .build()) {
      EvalReport r = ClassificationEvaluator.of(EvalProtocol.quick(), test)
          .evaluate(result.set(), behaviour, ProgressListener.NONE);
    }
    Distill.from(train).method(MixedReal.of(D4M.defaults(), 0.2, RandomReal.of())) /* ... */;
  }

  /** README "Stored soft labels". */
  static void storedSoftLabels(LabeledImages train, LabeledImages test, BuiltinModel model,
      ImageClassifier teacher) throws IOException {
    try (DistillResult result =
             Distill.from(train).method(D4M.defaults()).sampler(model.sampler())
                 .softLabels(teacher, 4.0)              // teacher: an ImageClassifier, kept open
                 .run(Path.of("out/d4m"))) {            // later: DistilledSetIO.load(...) has them too
      EvalReport r = ClassificationEvaluator.of(EvalProtocol.quick(), test)
          .evaluate(result.set(), StoredSoftLabelMatcher.of(), ProgressListener.NONE);
    }
  }

  /** README "Annotations, COCO and Fashion-MNIST scenes". */
  static void annotations(List<List<Detection>> predictions, List<Mask> predictedMasks)
      throws IOException {
    FashionMnistScenes scenes = FashionMnistScenes.train(SceneConfig.defaults().withSeed(7));
    ImageAnnotations first = scenes.annotations(0);   // boxes, instance masks, semantic mask
    SceneStatistics stats = scenes.statistics(2000);
    scenes.export(Path.of("scenes"), 0, 100);         // images/*.png, instances.json, masks/
    CocoDataset coco = CocoDataset.of(Path.of("scenes/instances.json"), Path.of("scenes"));
    DetectionMetricsResult det = DetectionMetrics.evaluate(coco.annotationSet(), predictions);
    List<Mask> truth = coco.annotationSet().images().stream()
        .map(a -> a.semanticMask().orElseThrow()).toList();
    SegmentationMetricsResult seg = SegmentationMetrics.evaluate(predictedMasks, truth);
    System.out.printf("mAP %.3f  mAP50 %.3f  mIoU %.3f%n", det.map(), det.map50(), seg.meanIoU());
  }

  /** README "SDXL": plain and UniDD-guided sampling. */
  static void sdxl(ClassificationProxy proxy) throws IOException {
    try (SdxlPipeline sdxl = SdxlPipeline.load(Path.of("stable-diffusion-xl-base-1.0"),
             SdxlOptions.cuda(ScalarType.Half))) {       // UNet + text encoders fp16, VAE upcast to fp32
      Sampler sampler = sdxl.sampler();
      var cond = List.of(Conditioning.of(207, "a photo of a golden retriever"));
      try (SampleResult plain = sampler.sample(SampleRequest.builder(cond)
               .numSteps(30).guidanceScale(5.0).seed(1).build());
           SampleResult guided = sampler.sample(SampleRequest.builder(cond)
               .numSteps(30).guidanceScale(5.0).seed(1)
               .guidance(TaskLossGuidance.classification(proxy, List.of(207), 1.0))  // UniDD
               .gradientMode(GradientMode.DECODER_ONLY)  // or THROUGH_DENOISER
               .build())) { /* plain.images(), guided.images(): [1,3,1024,1024] in [-1,1] */ }
    }
    // SDXL-Turbo: SdxlTurbo.sampler(pipeline) + SdxlTurbo.request(conditionings, 1)  (1–4 steps, no CFG, 512²)
  }

  /** README "Distil an ImageFolder with SDXL": D4M on a folder of any size, written at 224². */
  static void imageFolder() throws IOException {
    ImageFolderDataset train = ImageFolderDataset.builder(Path.of("imagenette/train"))
        .classIndexFile(Path.of("imagenette/classes.txt"))  // "<wnid> <name>" per line: the class order
        .build();                                           // lists the files; decodes lazily, per batch
    try (SdxlPipeline sdxl = SdxlPipeline.load(Path.of("stable-diffusion-xl-base-1.0"),
             SdxlOptions.cuda(ScalarType.Half));
         DistillResult result = Distill.from(train)
             .method(D4M.defaults())                  // VAE-latent k-means prototypes + img2img
             .sampler(sdxl.sampler())                 // generates at 1024² (.imageSize(...) to change)
             .outputSize(ImageSize.square(224))        // written at 224² (default: the dataset's size)
             .prompts(PromptSource.captions(Path.of("captions.json")))  // or PromptSource.template(...)
             .ipc(10).numSteps(30).guidanceScale(5.0).batchSize(1)
             .run(Path.of("out/imagenette-d4m"))) {    // resumable; manifest: sizes, classes, prompts
      System.out.println(result.set().size() + " images");
    }
  }

  /** README "Scale out on Apache Spark": one recipe as a Spark job. */
  static void spark(JavaSparkContext sparkContext) throws IOException {
    SparkRecipe recipe =
        SparkRecipe.builder(MethodSpec.of("d4m"), SamplerFactories.builtinFashionMnist(),
                DatasetSources.fashionMnist(), "/shared/out/d4m")       // a path every executor mounts
            .ipc(10).seed(0).numSteps(25).guidanceScale(2.0).build();
    SparkDistillResult r = SparkDistill.of(sparkContext).run(recipe);    // ImageFolder + manifest.json
    System.out.println(r.generated().size() + " classes generated");
  }
}
