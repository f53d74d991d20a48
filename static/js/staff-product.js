/* /staff/products/{id}: show the chosen picture before it is uploaded. */
const input = document.querySelector("input[data-image-preview]");
const preview = document.querySelector("[data-image-preview-target]");
let shown = null;

if (input && preview) {
  input.addEventListener("change", () => {
    if (shown) URL.revokeObjectURL(shown);
    const file = input.files && input.files[0];
    if (!file) {
      preview.hidden = true;
      return;
    }
    shown = URL.createObjectURL(file);
    preview.src = shown;
    preview.hidden = false;
  });
}
