package dev.distill.core.filter;

import com.google.common.testing.NullPointerTester;
import dev.distill.api.Encoder;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.util.function.Function;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

class NullHandlingTest {
  @Test
  void everyPublicEntryPointRejectsNulls() {
    try (TensorScope scope = TensorScope.open()) {
      Tensor image = Tensors.fromFloats(new float[16], 1, 1, 4, 4);
      DedupFilter filter = DedupFilter.of(DedupConfig.defaults(), Encoders.identity());
      try (ReferenceIndex index = filter.index(image)) {
        Function<Tensor, Tensor> classifier = x -> x.reshape(x.size(0), -1).clone();
        NullPointerTester tester =
            new NullPointerTester()
                .setDefault(Tensor.class, image)
                .setDefault(Encoder.class, Encoders.identity())
                .setDefault(DedupConfig.class, DedupConfig.defaults())
                .setDefault(ConfidenceConfig.class, ConfidenceConfig.defaults())
                .setDefault(ReferenceIndex.class, index)
                .setDefault(Function.class, classifier);
        tester.testAllPublicStaticMethods(PerceptualHash.class);
        tester.testAllPublicStaticMethods(EmbeddingSimilarity.class);
        tester.testAllPublicStaticMethods(DedupFilter.class);
        tester.testAllPublicStaticMethods(ConfidenceFilter.class);
        tester.testAllPublicStaticMethods(FilterResult.class);
        tester.testAllPublicInstanceMethods(filter);
        tester.testAllPublicInstanceMethods(DedupFilter.of(DedupConfig.defaults()));
        tester.testAllPublicInstanceMethods(EmbeddingSimilarity.of(Encoders.identity(), 2));
        tester.testAllPublicInstanceMethods(
            ConfidenceFilter.of(classifier, ConfidenceConfig.defaults()));
        tester.testAllPublicInstanceMethods(FilterResult.keepAll(1));
        tester.testAllPublicConstructors(DedupConfig.class);
      }
    }
  }
}
