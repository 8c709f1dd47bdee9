package dev.distill.core.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distill.api.DistilledSet;
import dev.distill.api.EvalReport;
import dev.distill.api.RunProvenance;
import dev.distill.core.data.ImageFolderDataset;
import dev.distill.core.data.LabeledImages;
import dev.distill.core.io.Images;
import dev.distill.core.match.HardLabelMatcher;
import dev.distill.core.nn.ConvNet;
import dev.distill.core.nn.ConvNetConfig;
import dev.distill.core.nn.Norm;
import dev.distill.core.nn.StudentSpec;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The evaluator on a test set read lazily from PNG files scores exactly as on the same images in
 * memory.
 */
class StreamingEvaluationTest {
  private static final EvalProtocol TINY =
      EvalProtocol.defaults()
          .withStudent(StudentSpec.convNet(8, 2))
          .withTraining(
              TrainConfig.dsaEvaluation().withEpochs(20).withOptimizer(OptimizerKind.SGD, 0.05))
          .withSeeds(List.of(0L, 1L))
          .withTestBatchSize(5); // batches straddle nothing: 7 images per class, 5 + 2

  @BeforeAll
  static void oneThread() {
    torch.set_num_threads(1);
  }

  /** Writes TinyData's 28 test images as gray PNGs, {@code root/band<k>/<i>.png}. */
  private static ImageFolderDataset writeFolder(Path root) throws IOException {
    try (LabeledImages test = TinyData.make(7, 3);
        TensorScope s = TensorScope.open()) {
      for (int i = 0; i < test.size(); i++) {
        Images.writePng(
            root.resolve(TinyData.NAMES.get(test.label(i))).resolve(String.format("%03d.png", i)),
            test.images().select(0, i));
      }
    }
    return ImageFolderDataset.builder(root).colorMode(Images.ColorMode.GRAY).build();
  }

  /**
   * The folder's decoded images in memory, interleaved (i-th image of class i % 4), not class
   * order.
   */
  private static LabeledImages inMemory(ImageFolderDataset folder) {
    try (TensorScope s = TensorScope.open()) {
      TensorVector images = new TensorVector();
      List<Integer> labels = new ArrayList<>();
      int perClass = folder.classSize(0);
      for (int p = 0; p < perClass; p++) {
        for (int c = 0; c < folder.numClasses(); c++) {
          images.push_back(folder.load(c, new int[] {p}));
          labels.add(c);
        }
      }
      return LabeledImages.copyOf(
          torch.cat(images, 0),
          Tensors.fromInts(labels.stream().mapToInt(Integer::intValue).toArray()),
          folder.classNames());
    }
  }

  private static DistilledSet distilled(int perClass, int size, long seed) {
    try (LabeledImages source = TinyData.make(perClass, seed);
        TensorScope s = TensorScope.open()) {
      List<Integer> labels = new ArrayList<>();
      for (int i = 0; i < source.size(); i++) {
        labels.add(source.label(i));
      }
      Tensor images =
          size == 8
              ? source.images().clone()
              : torch.upsample_nearest2d(source.images(), size, size).contiguous();
      return new DistilledSet(
          s.detach(images),
          labels,
          null,
          source.classNames(),
          new RunProvenance("random-real", Map.of(), 0, "", "test", Instant.EPOCH));
    }
  }

  @Test
  void streamedAccuracyEqualsInMemoryAccuracy(@TempDir Path root) throws IOException {
    ImageFolderDataset folder = writeFolder(root);
    try (LabeledImages memory = inMemory(folder);
        ConvNet net = ConvNet.of(new ConvNetConfig(1, 8, 8, 4, 8, 2, Norm.INSTANCE), 5)) {
      TopKAccuracy streamed = ClassifierTrainer.accuracy(net, folder, 3);
      TopKAccuracy loaded = ClassifierTrainer.accuracy(net, memory.images(), memory.labels(), 11);
      assertThat(streamed.count()).isEqualTo(28);
      assertThat(streamed).isEqualTo(loaded);
    }
  }

  @Test
  void evaluatorOnAnImageFolderScoresAsOnTheSameImagesInMemory(@TempDir Path root)
      throws IOException {
    ImageFolderDataset folder = writeFolder(root);
    try (LabeledImages memory = inMemory(folder);
        DistilledSet set = distilled(2, 8, 9)) {
      EvalReport fromFiles =
          ClassificationEvaluator.of(TINY, folder).evaluate(set, HardLabelMatcher.of(), p -> {});
      EvalReport fromMemory =
          ClassificationEvaluator.of(TINY, memory).evaluate(set, HardLabelMatcher.of(), p -> {});
      assertThat(fromFiles.metrics().get("top1").values())
          .isEqualTo(fromMemory.metrics().get("top1").values());
      assertThat(fromFiles.metrics().get("top5").values())
          .isEqualTo(fromMemory.metrics().get("top5").values());
      // trained students learn the bands: well above the 25% of chance
      assertThat(fromFiles.metrics().get("top1").mean()).isGreaterThan(50.0);
      assertThat(fromFiles.protocol()).containsEntry("testImages", "28");
    }
  }

  @Test
  void aSetOfAnotherImageSizeFailsNamingBothShapes(@TempDir Path root) throws IOException {
    ImageFolderDataset folder = writeFolder(root);
    try (DistilledSet big = distilled(1, 16, 9)) {
      assertThatThrownBy(
              () ->
                  ClassificationEvaluator.of(TINY, folder)
                      .evaluate(big, HardLabelMatcher.of(), p -> {}))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("must have shape [*, 1, 8, 8]")
          .hasMessageContaining("[4, 1, 16, 16]")
          .hasMessageContaining("ImageTransforms.fit");
    }
  }
}
