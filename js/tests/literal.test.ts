// @vitest-environment node
import { describe, expect, it } from "vitest";
import { formatLiteral, parseLiteral } from "../src/literal";

describe("value literal parser", () => {
  it.each([
    ["0", 0],
    ["3.5", 3.5],
    ["-2", -2],
    ["1e3", 1000],
    ["1_000", 1000],
    [".5", 0.5],
    ["'a b'", "a b"],
    ['"x"', "x"],
    ["'it\\'s'", "it's"],
    ["None", null],
    ["True", true],
    ["False", false],
    ["[1, 2]", [1, 2]],
    ["[1, 'a', None, [True]]", [1, "a", null, [true]]],
    ["[]", []],
    ["[1, 2,]", [1, 2]],
    ["hello", "hello"],
    ["hello world", "hello world"],
    ["  padded  ", "padded"],
    ["007", "007"],
    ["12abc", "12abc"],
    ["true", "true"],
    ["[1, 2", "[1, 2"],
    ["'open", "'open"],
    ["2024-01-05", "2024-01-05"],
  ])("%s", (text, expected) => {
    expect(parseLiteral(text)).toEqual(expected);
  });

  it("treats an empty input as no value", () => {
    expect(parseLiteral("")).toBeUndefined();
    expect(parseLiteral("   ")).toBeUndefined();
  });

  it("formats values back to text that parses to them", () => {
    for (const v of [0, 3.5, "a b", "007", null, true, [1, "x"], "None", "it's"]) {
      expect(parseLiteral(formatLiteral(v))).toEqual(v);
    }
  });
});
