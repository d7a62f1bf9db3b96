import { describe, expect, it } from "vitest";
import { makeInput } from "../src/forms";

describe("form inputs", () => {
  it("show the operation's own placeholder for text and value inputs", () => {
    const other = makeInput({ name: "other", type: "text", required: true, placeholder: "a file path, or a session's name" }, []);
    expect((other.el as HTMLInputElement).placeholder).toBe("a file path, or a session's name");
    const parts = makeInput({ name: "parts", type: "value", required: true, placeholder: "e.g. ['year', 'month']" }, []);
    expect((parts.el as HTMLInputElement).placeholder).toBe("e.g. ['year', 'month']");
  });

  it("keep the generic hint when the operation gives none", () => {
    const value = makeInput({ name: "value", type: "value", required: false }, []);
    expect((value.el as HTMLInputElement).placeholder).toBe("e.g. 0, 3.5, 'a b', [1, 2], None, True");
  });

  it("set a hostile placeholder as text, never markup", () => {
    const attack = "<img src=x onerror=alert(1)>";
    const input = makeInput({ name: "other", type: "text", required: true, placeholder: attack }, []);
    expect((input.el as HTMLInputElement).placeholder).toBe(attack);
    expect(input.el.querySelector("img")).toBeNull();
  });
});
