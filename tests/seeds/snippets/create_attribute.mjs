const createCompanyAttribute = async ({
  workspaceId,
  name,
  type,
  values = [], // Only needed for select type
}) => {
  let mutation = '';
  let variables = {};

  switch (type) {
    case 'NUMBER':
      mutation = `
        mutation createScalarAttribute($workspaceId: ID!, $name: DefaultString!) {
          addNewCompanyAttribute(
            input: {
              productId: $workspaceId
              name: $name
              color: "a"
              type: { scalar: { type: NUMBER } }
            }
          ) {
            __typename
          }
        }
      `;
      variables = {
        workspaceId,
        name,
      };
      break;

    case 'SINGLE_SELECT':
      if (values.length === 0) {
        throw new Error("Values are required for SINGLE_SELECT type");
      }
      mutation = `
        mutation createSingleSelectAttribute($workspaceId: ID!, $name: DefaultString!, $values: [SelectAttributeString!]!) {
          addNewCompanyAttribute(
            input: {
              productId: $workspaceId
              name: $name
              color: "a"
              type: { select: { type: SINGLE_SELECT, values: $values } }
            }
          ) {
            __typename
          }
        }
      `;
      variables = {
        workspaceId,
        name,
        values,
      };
      break;

    case 'TEXT':
      mutation = `
        mutation scalarTextAttribute($workspaceId: ID!, $name: DefaultString!) {
          addNewCompanyAttribute(
            input: {
              productId: $workspaceId
              name: $name
              color: "a"
              type: { scalar: { type: TEXT } }
            }
          ) {
            __typename
          }
        }
      `;
      variables = {
        workspaceId,
        name,
      };
      break;

    case 'BOOLEAN':
      mutation = `
        mutation scalarBooleanAttribute($workspaceId: ID!, $name: DefaultString!) {
          addNewCompanyAttribute(
            input: {
              productId: $workspaceId
              name: $name
              color: "a"
              type: { scalar: { type: BOOLEAN } }
            }
          ) {
            __typename
          }
        }
      `;
      variables = {
        workspaceId,
        name,
      };
      break;

    default:
      throw new Error("Invalid attribute type provided.");
  }

  try {
    const response = await fetch('https://api.product.cycle.app/graphql', {
      method: 'POST',
      headers: {
        'Authorization': `Bearer YOUR_CYCLE_API_KEY`,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({
        query: mutation,
        variables: variables,
      }),
    });

    const result = await response.json();
    return result.data.addNewCompanyAttribute || null;
  } catch (error) {
    console.error('Error creating company attribute:', error);
    throw error;
  }
};
