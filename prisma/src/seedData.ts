import { createHash } from "node:crypto";
import type { Prisma } from "../generated/client.js";

/**
 * The demo data set, computed (not random): the same ids, names and prices on
 * every machine, so links and screenshots in docs stay valid.
 */
export const SEED_PASSWORD = "correct-horse-battery";
export const DEMO_USERS = {
  customer: "demo@commerce.dev",
  staff: "staff@commerce.dev",
  admin: "admin@commerce.dev",
} as const;

/** A stable UUID (version-5 layout) from a name. */
export function stableId(name: string): string {
  const h = createHash("sha256").update(`commerce-supergraph:${name}`).digest();
  h[6] = ((h[6] ?? 0) & 0x0f) | 0x50;
  h[8] = ((h[8] ?? 0) & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Small deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CATEGORIES = [
  {
    slug: "burgers",
    name: "Burgers",
    base: ["Burger", "Cheeseburger", "Smash Burger", "Double Stack", "Veggie Burger"],
    price: [549, 1299],
  },
  {
    slug: "chicken",
    name: "Chicken",
    base: ["Chicken Sandwich", "Tenders", "Wings", "Nuggets", "Chicken Wrap"],
    price: [499, 1199],
  },
  {
    slug: "sides",
    name: "Sides",
    base: ["Fries", "Onion Rings", "Tots", "Coleslaw", "Mac & Cheese"],
    price: [199, 549],
  },
  {
    slug: "salads",
    name: "Salads & Bowls",
    base: ["Garden Salad", "Caesar", "Grain Bowl", "Cobb Salad", "Poke Bowl"],
    price: [699, 1349],
  },
  {
    slug: "breakfast",
    name: "Breakfast",
    base: ["Breakfast Sandwich", "Burrito", "Pancakes", "Hash Brown", "Oatmeal"],
    price: [249, 899],
  },
  {
    slug: "desserts",
    name: "Desserts",
    base: ["Sundae", "Cookie", "Brownie", "Apple Pie", "Cheesecake"],
    price: [149, 649],
  },
  {
    slug: "drinks",
    name: "Cold Drinks",
    base: ["Lemonade", "Iced Tea", "Soda", "Milkshake", "Smoothie"],
    price: [149, 599],
  },
  {
    slug: "coffee",
    name: "Coffee & Tea",
    base: ["Latte", "Cappuccino", "Cold Brew", "Americano", "Chai"],
    price: [199, 649],
  },
  {
    slug: "kids",
    name: "Kids Meals",
    base: ["Kids Burger Meal", "Kids Nuggets Meal", "Kids Wrap Meal", "Kids Pasta", "Kids Pancakes"],
    price: [399, 699],
  },
  {
    slug: "merch",
    name: "Merchandise",
    base: ["T-Shirt", "Cap", "Tumbler", "Tote Bag", "Gift Card"],
    price: [999, 3499],
  },
] as const;

const VARIANTS = [
  "Classic",
  "Spicy",
  "Smoky BBQ",
  "Truffle",
  "Garden",
  "Honey Mustard",
  "Lemon Pepper",
  "Sriracha",
  "Maple",
  "Signature",
];
const FIRST = [
  "Ava",
  "Liam",
  "Mia",
  "Noah",
  "Zoe",
  "Ethan",
  "Ivy",
  "Lucas",
  "Nora",
  "Omar",
  "Priya",
  "Kenji",
  "Sofia",
  "Mateo",
  "Amara",
  "Jonas",
];
const LAST = [
  "Garcia",
  "Smith",
  "Chen",
  "Okafor",
  "Müller",
  "Rossi",
  "Kowalski",
  "Haddad",
  "Silva",
  "Tanaka",
  "Novak",
  "Dubois",
];

export interface SeedData {
  users: Prisma.UserCreateManyInput[];
  favorites: Prisma.FavoriteCreateManyInput[];
  categories: Prisma.CategoryCreateManyInput[];
  products: Prisma.ProductCreateManyInput[];
}

/** Builds the data set. `passwordHash` is shared by every demo user (one scrypt run keeps the seed fast). */
export function buildSeedData(passwordHash: string, { users = 50, productsPerCategory = 50 } = {}): SeedData {
  const random = prng(20261121);
  const categories = CATEGORIES.map((c, position) => ({
    id: stableId(`category:${c.slug}`),
    slug: c.slug,
    name: c.name,
    description: `${c.name} from the Commerce kitchen.`,
    position,
  }));
  const products: Prisma.ProductCreateManyInput[] = [];
  CATEGORIES.forEach((c, ci) => {
    for (let i = 0; i < productsPerCategory; i += 1) {
      const base = c.base[i % c.base.length] as string;
      const variant = VARIANTS[Math.floor(i / c.base.length) % VARIANTS.length] as string;
      const [min, max] = c.price;
      const amount = Math.round((min + random() * (max - min)) / 10) * 10 + 9;
      const sku = `${c.slug.slice(0, 3).toUpperCase()}-${String(i + 1).padStart(4, "0")}`;
      products.push({
        id: stableId(`product:${sku}`),
        sku,
        name: `${variant} ${base}`,
        description: `${variant} ${base.toLowerCase()}, made to order.`,
        priceAmount: amount,
        currency: "USD",
        available: random() > 0.06,
        categoryId: categories[ci]?.id as string,
      });
    }
  });
  const named = [
    { email: DEMO_USERS.customer, displayName: "Demo Customer", roles: ["CUSTOMER"] as const },
    { email: DEMO_USERS.staff, displayName: "Store Staff", roles: ["CUSTOMER", "STAFF"] as const },
    { email: DEMO_USERS.admin, displayName: "Admin", roles: ["CUSTOMER", "STAFF", "ADMIN"] as const },
  ];
  const userRows: Prisma.UserCreateManyInput[] = [];
  for (let i = 0; i < users; i += 1) {
    const preset = named[i];
    const first = FIRST[i % FIRST.length] as string;
    const last = LAST[(i * 7) % LAST.length] as string;
    userRows.push({
      id: stableId(`user:${i}`),
      email:
        preset?.email ??
        `${first}.${last}.${i}@example.com`
          .toLowerCase()
          .normalize("NFD")
          .replace(/[\u0300-\u036f]/g, ""),
      displayName: preset?.displayName ?? `${first} ${last}`,
      passwordHash,
      roles: preset ? [...preset.roles] : ["CUSTOMER"],
    });
  }
  const favorites: Prisma.FavoriteCreateManyInput[] = [];
  userRows.forEach((user, ui) => {
    const count = ui === 0 ? 6 : Math.floor(random() * 6);
    const picked = new Set<number>();
    while (picked.size < count) picked.add(Math.floor(random() * products.length));
    [...picked].forEach((pi, order) =>
      favorites.push({
        userId: user.id as string,
        productId: products[pi]?.id as string,
        createdAt: new Date(Date.UTC(2026, 0, 1, 12, ui, order)),
      }),
    );
  });
  return { users: userRows, favorites, categories, products };
}
