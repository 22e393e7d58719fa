// The in-memory data of the public federation-gateway benchmark workload (The Guild's graphql-gateways-benchmark):
// 6 users, 9 products, their stock, and 11 reviews whose bodies have the benchmark's lengths. Its quirks are
// part of the workload and are kept on purpose, because the response size (~87 KB for TestQuery) depends on
// them: every review's author is user 1, and every user's `reviews` are the first two reviews.

export interface User {
  id: string;
  name: string;
  username: string;
  birthday: number;
}

export interface Product {
  upc: string;
  name: string;
  price: number;
  weight: number;
}

export interface Review {
  id: string;
  body: string;
  productUpc: string;
  authorId: string;
}

const BIRTHDAY = 1_234_567_890;

export const USERS: readonly User[] = [
  { id: "1", name: "Uri Goldshtein", username: "urigo", birthday: BIRTHDAY },
  { id: "2", name: "Dotan Simha", username: "dotansimha", birthday: BIRTHDAY },
  { id: "3", name: "Kamil Kisiela", username: "kamilkisiela", birthday: BIRTHDAY },
  { id: "4", name: "Arda Tanrikulu", username: "ardatan", birthday: BIRTHDAY },
  { id: "5", name: "Gil Gardosh", username: "gilgardosh", birthday: BIRTHDAY },
  { id: "6", name: "Laurin Quast", username: "laurin", birthday: BIRTHDAY },
];

export const PRODUCTS: readonly Product[] = [
  { upc: "1", name: "Table", price: 899, weight: 100 },
  { upc: "2", name: "Couch", price: 1299, weight: 1000 },
  { upc: "3", name: "Glass", price: 15, weight: 20 },
  { upc: "4", name: "Chair", price: 499, weight: 100 },
  { upc: "5", name: "TV", price: 1299, weight: 1000 },
  { upc: "6", name: "Lamp", price: 6999, weight: 300 },
  { upc: "7", name: "Grill", price: 3999, weight: 2000 },
  { upc: "8", name: "Fridge", price: 100_000, weight: 6000 },
  { upc: "9", name: "Sofa", price: 9999, weight: 800 },
];

/** `inStock` by product upc (the inventory subgraph's only own data). */
export const IN_STOCK: Readonly<Record<string, boolean>> = {
  "1": true,
  "2": false,
  "3": false,
  "4": false,
  "5": true,
  "6": true,
  "7": true,
  "8": false,
  "9": true,
};

/** Placeholder text of a given length (the workload's bodies are lorem ipsum of these lengths). */
export function loremOfLength(length: number): string {
  const words =
    "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua";
  let text = "";
  while (text.length < length) text += (text === "" ? "" : " ") + words;
  return text.slice(0, length);
}

/** Review body lengths of the workload, in review order. */
export const REVIEW_BODY_LENGTHS = [445, 289, 275, 143, 445, 289, 275, 143, 143, 143, 844] as const;
/** Which product each review is about, in review order. */
const REVIEW_PRODUCTS = ["1", "1", "1", "1", "2", "2", "2", "2", "3", "4", "4"] as const;

export const REVIEWS: readonly Review[] = REVIEW_BODY_LENGTHS.map((length, index) => ({
  id: String(index + 1),
  body: loremOfLength(length),
  productUpc: REVIEW_PRODUCTS[index] ?? "1",
  authorId: "1",
}));

/** The workload lists the same two reviews under every user. */
export const REVIEWS_OF_ANY_USER: readonly Review[] = REVIEWS.slice(0, 2);
