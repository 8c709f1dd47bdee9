package dev.distill.core.prompt;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.api.DistillException;
import dev.distill.core.data.ClassIndex;
import dev.distill.core.data.Dataset;
import dev.distill.core.tensor.TensorScope;
import java.util.List;

/** {@link PromptSource#captioner}: captions the first images of each class. */
final class CaptionerPrompts implements PromptSource {
  private final Captioner captioner;
  private final int imagesPerClass;

  CaptionerPrompts(Captioner captioner, int imagesPerClass) {
    this.captioner = checkNotNull(captioner, "captioner");
    checkArgument(imagesPerClass >= 1, "imagesPerClass must be >= 1 but was %s", imagesPerClass);
    this.imagesPerClass = imagesPerClass;
  }

  @Override
  public List<String> prompts(int classId, ClassIndex classes, Dataset data) {
    int n = Math.min(imagesPerClass, data.classSize(classId));
    try (TensorScope scope = TensorScope.open()) {
      List<String> out =
          List.copyOf(
              captioner.caption(classes.displayNames().get(classId), data.load(classId, 0, n)));
      if (out.isEmpty() || out.stream().anyMatch(s -> s == null || s.isBlank())) {
        throw new DistillException(
            "captioner returned no usable prompt for class "
                + classId
                + " ("
                + classes.displayNames().get(classId)
                + "): "
                + out);
      }
      return out;
    }
  }

  @Override
  public String id() {
    return "captioner:" + captioner.getClass().getName() + ":" + imagesPerClass;
  }
}
