package dev.distill.spark;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.api.DistillException;
import dev.distill.api.Sampler;
import dev.distill.core.model.BuiltinModel;
import dev.distill.core.tensor.DeviceOptions;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The built-in {@link SamplerFactory} implementations.
 *
 * <p>The SDXL factory reaches distill-sdxl by reflection, so distill-spark does not depend on it:
 * put distill-sdxl on the job's class path ({@code --jars} or the application jar) when you use it.
 *
 * @since 0.1.0
 */
public final class SamplerFactories {
  private SamplerFactories() {}

  /**
   * The built-in Fashion-MNIST model ({@link BuiltinModel#fashionMnist(DeviceOptions)}) in fp32.
   *
   * @return the factory
   */
  public static SamplerFactory builtinFashionMnist() {
    return new BuiltinFashionMnist(ScalarType.Float);
  }

  /**
   * An SDXL diffusers folder ({@code SdxlPipeline.load(folder, SdxlOptions)} of distill-sdxl).
   *
   * @param folder the pipeline folder, readable at the same path on every executor
   * @param dtype Float, Half or BFloat16 (the VAE upcasts as SDXL requires)
   * @param decodeScale 1, 2 or 4 (the guidance decode's downsampling)
   * @return the factory
   */
  public static SamplerFactory sdxl(Path folder, ScalarType dtype, int decodeScale) {
    checkNotNull(folder, "folder");
    return new SdxlPipelineFolder(
        folder.toAbsolutePath().normalize().toString(), dtype, decodeScale);
  }

  /**
   * The shipped Fashion-MNIST model of distill-core.
   *
   * @param dtype the compute dtype
   */
  public record BuiltinFashionMnist(ScalarType dtype) implements SamplerFactory {
    private static final long serialVersionUID = 1L;

    /** Validates. */
    public BuiltinFashionMnist {
      checkNotNull(dtype, "dtype");
    }

    @Override
    public LoadedSampler load(DeviceOptions device) {
      BuiltinModel model = BuiltinModel.fashionMnist(device);
      return new LoadedSampler(model.sampler(), model);
    }
  }

  /**
   * An SDXL pipeline folder, loaded through distill-sdxl by reflection.
   *
   * @param folder the absolute folder path
   * @param dtype Float, Half or BFloat16
   * @param decodeScale 1, 2 or 4
   */
  public record SdxlPipelineFolder(String folder, ScalarType dtype, int decodeScale)
      implements SamplerFactory {
    private static final long serialVersionUID = 1L;
    private static final String PIPELINE = "dev.distill.sdxl.pipeline.SdxlPipeline";
    private static final String OPTIONS = "dev.distill.sdxl.pipeline.SdxlOptions";

    /** Validates. */
    public SdxlPipelineFolder {
      checkNotNull(folder, "folder");
      checkNotNull(dtype, "dtype");
      checkArgument(
          decodeScale == 1 || decodeScale == 2 || decodeScale == 4,
          "decodeScale must be 1, 2 or 4 but was %s",
          decodeScale);
    }

    @Override
    public LoadedSampler load(DeviceOptions device) throws IOException {
      try {
        Class<?> options = Class.forName(OPTIONS);
        Object opts =
            options
                .getConstructor(String.class, ScalarType.class, int.class)
                .newInstance(device.deviceName(), dtype, decodeScale);
        Class<?> pipeline = Class.forName(PIPELINE);
        Method load = pipeline.getMethod("load", Path.class, options);
        AutoCloseable p = (AutoCloseable) load.invoke(null, Path.of(folder), opts);
        Sampler sampler = (Sampler) pipeline.getMethod("sampler").invoke(p);
        return new LoadedSampler(sampler, p);
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException(
            "distill-sdxl must be on the executors' class path to load "
                + folder
                + " but "
                + e.getMessage()
                + " was not found (add its jar with --jars)",
            e);
      } catch (InvocationTargetException e) {
        if (e.getCause() instanceof IOException io) {
          throw io;
        }
        if (e.getCause() instanceof RuntimeException re) {
          throw re;
        }
        throw new DistillException("loading SDXL pipeline " + folder + " failed", e.getCause());
      } catch (ReflectiveOperationException e) {
        throw new DistillException("distill-sdxl's SdxlPipeline API did not match", e);
      }
    }
  }
}
