// anywidget entry point. Only the default export: anywidget warns that a module exporting
// `render` directly will stop working.
import { render } from "./render";

export default { render };
