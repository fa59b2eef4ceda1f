curl https://api.product.cycle.app/graphql \
  -X POST \
  -H "Authorization: Bearer YOUR_CYCLE_API_KEY" \
  -H "Content-Type: application/json" \
  -d '{
    "query": "
      mutation scalarTextAttribute($workspaceId: ID!, $name: String!) {
        addNewCompanyAttribute(
          input: {
            productId: $workspaceId
            name: $name
            color: \"a\"
            type: { scalar: { type: TEXT } }
          }
        ) {
          __typename
        }
      }
    ",
    "variables": {
      "workspaceId": "YOUR_WORKSPACE_ID",
      "name": "Churn reason"
    }
  }'
