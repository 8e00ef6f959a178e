import type { Config } from "tailwindcss";

// Loaded from app/globals.css with @config; Tailwind 4 finds class names by scanning sources.
const config: Config = {
  content: ["./app/**/*.{ts,tsx}", "./components/**/*.{ts,tsx}"],
  theme: {
    extend: {
      colors: {
        brand: { 50: "#eef6ff", 100: "#d9ebff", 500: "#2f6fde", 600: "#2159c4", 700: "#1c479b", 900: "#142b57" },
      },
    },
  },
};

export default config;
