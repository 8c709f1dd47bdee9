package dev.distill.spark;

import dev.distill.core.data.Dataset;
import dev.distill.core.data.FashionMnist;
import dev.distill.core.data.LabeledImages;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A small serializable test dataset: the first {@code perClass} bundled images of the first
 * classes.
 */
record TinyFashionMnist(int classes, int perClass) implements DatasetFactory {
  @Override
  public Dataset open() throws IOException {
    try (LabeledImages all = FashionMnist.train();
        TensorScope scope = TensorScope.open()) {
      List<Integer> idx = new ArrayList<>();
      for (int c = 0; c < classes; c++) {
        int[] of = all.indicesOf(c);
        for (int i = 0; i < perClass; i++) {
          idx.add(of[i]);
        }
      }
      var sel = Tensors.fromInts(idx.stream().mapToInt(Integer::intValue).toArray());
      return LabeledImages.copyOf(
          all.images().index_select(0, sel),
          all.labels().index_select(0, sel),
          FashionMnist.CLASS_NAMES.subList(0, classes));
    }
  }
}
