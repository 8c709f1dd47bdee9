package dev.distill.core.prompt;

import dev.distill.core.data.ClassIndex;
import dev.distill.core.data.Dataset;
import java.util.List;

/** {@link PromptSource#template}: one prompt per class. */
record TemplatePrompts(String template) implements PromptSource {
  @Override
  public List<String> prompts(int classId, ClassIndex classes, Dataset data) {
    return List.of(
        template
            .replace("{name}", classes.displayNames().get(classId))
            .replace("{folder}", classes.folders().get(classId)));
  }

  @Override
  public String id() {
    return "template:" + template;
  }
}
