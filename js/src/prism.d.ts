// Prism's per-file modules, as highlight.ts imports them (the types are @types/prismjs').
declare module "prismjs/components/prism-core" {
  import Prism from "prismjs";
  export default Prism;
}
declare module "prismjs/components/prism-python";
