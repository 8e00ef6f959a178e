// The recipe's two sample files, as its first step writes them: ten customers of the retailer
// (org-a) and ten of the marketing company (org-b). The demo seed uploads them; the journey test
// uploads them through the browser.

export const recipeSampleOrgA =
  [
    "customer_id,age_group,region,purchase_amount,product_category,registration_date",
    "1001,25-34,east,250.00,electronics,2023-01-15",
    "1002,35-44,west,180.50,clothing,2023-02-20",
    "1003,45-54,central,320.75,home,2023-01-10",
    "1004,25-34,east,95.25,books,2023-03-05",
    "1005,55-64,west,450.00,electronics,2023-02-28",
    "1006,25-34,central,180.00,electronics,2023-01-25",
    "1007,35-44,east,275.50,clothing,2023-02-15",
    "1008,45-54,west,395.25,home,2023-03-01",
    "1009,25-34,central,125.75,books,2023-02-10",
    "1010,55-64,east,520.00,electronics,2023-03-12",
  ].join("\n") + "\n";
export const recipeSampleOrgB =
  [
    "customer_id,age_group,region,engagement_score,channel_preference,last_interaction",
    "2001,25-34,east,85,email,2023-03-15",
    "2002,35-44,west,72,social,2023-03-20",
    "2003,45-54,central,91,email,2023-03-10",
    "2004,25-34,east,68,mobile,2023-03-25",
    "2005,55-64,west,88,email,2023-03-18",
    "2006,25-34,central,76,mobile,2023-03-08",
    "2007,35-44,east,82,email,2023-03-22",
    "2008,45-54,west,94,social,2023-03-05",
    "2009,25-34,central,69,mobile,2023-03-14",
    "2010,55-64,east,87,email,2023-03-20",
  ].join("\n") + "\n";
