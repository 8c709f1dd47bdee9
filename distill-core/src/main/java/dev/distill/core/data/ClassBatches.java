package dev.distill.core.data;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Iterator;
import java.util.NoSuchElementException;
import org.bytedeco.pytorch.Tensor;

/** The batch iteration behind {@link Dataset#batches(int, int)}. */
final class ClassBatches {
  private ClassBatches() {}

  static Iterable<Tensor> of(Dataset data, int classId, int batchSize) {
    checkArgument(batchSize >= 1, "batchSize must be >= 1 but was %s", batchSize);
    int n = data.classSize(classId);
    return () ->
        new Iterator<>() {
          private int next;

          @Override
          public boolean hasNext() {
            return next < n;
          }

          @Override
          public Tensor next() {
            if (next >= n) {
              throw new NoSuchElementException("class " + classId + " has no more batches");
            }
            int count = Math.min(batchSize, n - next);
            Tensor t = data.load(classId, next, count);
            next += count;
            return t;
          }
        };
  }
}
