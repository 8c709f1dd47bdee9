/**
 * Native tensor memory and conversions: {@link dev.distill.core.tensor.TensorScope} (the one
 * scoping idiom of the library), {@link dev.distill.core.tensor.CarriedTensor} (the one
 * latents-lifetime idiom of a sampling loop), device/dtype helpers and array/image conversions.
 *
 * @since 0.1.0
 */
package dev.distill.core.tensor;
