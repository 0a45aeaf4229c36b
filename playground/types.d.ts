// Nothing to declare: see tsconfig.json.
export {};
