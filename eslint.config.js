import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["**/dist/**", "**/generated/**", "**/__generated__/**", "**/node_modules/**", "**/.data/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      // TypeScript checks undefined names; the rule does not know Node globals in .js files.
      "no-undef": "off",
      "no-restricted-syntax": [
        "error",
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: "Read env only in config.ts: each package parses process.env once into a typed config.",
        },
      ],
    },
  },
  {
    files: [
      "**/config.ts",
      "**/cli/**",
      "**/scripts/**",
      "**/test/**",
      "packages/stack/**",
      "packages/testing/**",
      "packages/dev/**",
      "**/*.config.ts",
      "schema/src/**",
      "prisma/src/prismaWasm.ts",
    ],
    rules: { "no-restricted-syntax": "off" },
  },
);
