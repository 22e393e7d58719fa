// The operations the benchmark sends.

/** The public workload's nested query (~87 KB response): every subgraph, entity fetches four levels deep, @requires and @provides. */
export const TEST_QUERY = `fragment User on User {
  id
  username
  name
}

fragment Review on Review {
  id
  body
}

fragment Product on Product {
  inStock
  name
  price
  shippingEstimate
  upc
  weight
}

query TestQuery {
  users {
    ...User
    reviews {
      ...Review
      product {
        ...Product
        reviews {
          ...Review
          author {
            ...User
            reviews {
              ...Review
              product {
                ...Product
              }
            }
          }
        }
      }
    }
  }
  topProducts {
    ...Product
    reviews {
      ...Review
      author {
        ...User
        reviews {
          ...Review
          product {
            ...Product
          }
        }
      }
    }
  }
}`;

/** One subgraph (accounts), one small object: what the gateway itself costs per request. */
export const TRIVIAL_QUERY = `query Trivial { me { id username } }`;
