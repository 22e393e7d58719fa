import type { Resolvers } from "../__generated__/resolvers.js";
import { DateTime } from "@commerce/subgraph";
import { Mutation } from "./Mutation.js";
import { Query } from "./Query.js";
import { User } from "./User.js";

export const resolvers: Resolvers = { DateTime, Query, Mutation, User };
