/** Kept in its own module so tests can mock it and see the object use the mock. */
export function greet(name: string, greeting: string): string {
  return `${greeting}, ${name}`;
}
